// Local declarations of the parts of the k6 API these scripts use, because @types/k6 is not installed
// in this workspace. They follow @types/k6 (same module names, same signatures, narrowed to what is
// used); once @types/k6 is a devDependency, delete this file and set "types": ["k6"] in tsconfig.json.

declare const __ENV: Record<string, string | undefined>;
declare const __VU: number;
declare const __ITER: number;

declare module 'k6' {
  export type Checkers<T> = Record<string, (value: T) => boolean>;
  export function check<T>(value: T, checkers: Checkers<T>, tags?: Record<string, string>): boolean;
  export function sleep(seconds: number): void;
  export function fail(message?: string): never;
  export function group<T>(name: string, fn: () => T): T;

  export interface Threshold {
    threshold: string;
    abortOnFail?: boolean;
    delayAbortEval?: string;
  }
  export interface ConstantArrivalRateScenario {
    executor: 'constant-arrival-rate';
    rate: number;
    timeUnit?: string;
    duration: string;
    preAllocatedVUs: number;
    maxVUs?: number;
    tags?: Record<string, string>;
    exec?: string;
  }
  export interface ConstantVUsScenario {
    executor: 'constant-vus';
    vus: number;
    duration: string;
    tags?: Record<string, string>;
    exec?: string;
  }
  export type Scenario = ConstantArrivalRateScenario | ConstantVUsScenario;
  export interface Options {
    scenarios?: Record<string, Scenario>;
    thresholds?: Record<string, (string | Threshold)[]>;
    summaryTrendStats?: string[];
    discardResponseBodies?: boolean;
    setupTimeout?: string;
  }
}

declare module 'k6/http' {
  export interface RefinedResponse {
    status: number;
    body: string | null;
    timings: { duration: number; waiting: number };
    json(selector?: string): unknown;
  }
  export interface Params {
    headers?: Record<string, string>;
    tags?: Record<string, string>;
    timeout?: string;
  }
  export function post(url: string, body: string, params?: Params): RefinedResponse;
  export function get(url: string, params?: Params): RefinedResponse;
}

declare module 'k6/metrics' {
  export class Trend {
    constructor(name: string, isTime?: boolean);
    add(value: number, tags?: Record<string, string>): void;
  }
  export class Counter {
    constructor(name: string);
    add(value: number, tags?: Record<string, string>): void;
  }
  export class Rate {
    constructor(name: string);
    add(value: boolean | number, tags?: Record<string, string>): void;
  }
}

declare module 'k6/crypto' {
  export function sha256(input: string, outputEncoding: 'hex'): string;
}

declare module 'k6/ws' {
  export interface Socket {
    on(event: 'open', handler: () => void): void;
    on(event: 'message', handler: (data: string) => void): void;
    on(event: 'close', handler: (code: number) => void): void;
    on(event: 'error', handler: (error: { error(): string }) => void): void;
    send(data: string): void;
    close(code?: number): void;
    setTimeout(handler: () => void, intervalMs: number): void;
  }
  export interface Params {
    headers?: Record<string, string>;
    tags?: Record<string, string>;
  }
  export interface Response {
    status: number;
  }
  export function connect(url: string, params: Params, callback: (socket: Socket) => void): Response;
}
