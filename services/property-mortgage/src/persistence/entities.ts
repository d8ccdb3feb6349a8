/** MikroORM entity mapping of the exchange centre (defineEntity, no decorators). */
export const entities: never[] = [];
