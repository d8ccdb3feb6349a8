import { Migration } from '@mikro-orm/migrations';

/** The register: issuers, households and members, contracts and plots. */
export class Register20261126 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE issuer (
        id uuid PRIMARY KEY,
        code varchar(14) NOT NULL CONSTRAINT issuer_code_unique UNIQUE,
        credit_code varchar(18) NOT NULL CONSTRAINT issuer_credit_code_unique UNIQUE,
        name varchar(255) NOT NULL,
        village_code varchar(12) NOT NULL,
        township_code varchar(9) NOT NULL,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX issuer_village_code_index ON issuer (village_code)');
    this.addSql('CREATE INDEX issuer_township_code_index ON issuer (township_code)');
    this.addSql(`
      CREATE TABLE household (
        id uuid PRIMARY KEY,
        code varchar(18) NOT NULL CONSTRAINT household_code_unique UNIQUE,
        issuer_code varchar(14) NOT NULL,
        village_code varchar(12) NOT NULL,
        township_code varchar(9) NOT NULL,
        address varchar(255) NOT NULL DEFAULT '',
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX household_issuer_code_index ON household (issuer_code)');
    this.addSql('CREATE INDEX household_village_code_index ON household (village_code)');
    this.addSql('CREATE INDEX household_township_code_index ON household (township_code)');
    this.addSql(`
      CREATE TABLE household_member (
        id uuid PRIMARY KEY,
        household_id uuid NOT NULL,
        seq int NOT NULL,
        resident_id varchar(18) NOT NULL CONSTRAINT household_member_resident_id_unique UNIQUE,
        name varchar(255) NOT NULL,
        relation varchar(255) NOT NULL,
        alive boolean NOT NULL,
        deceased_on date NULL,
        moved_to_town boolean NOT NULL,
        lifted_out_of_poverty boolean NOT NULL,
        poverty_monitoring boolean NOT NULL
      )`);
    this.addSql('CREATE INDEX household_member_household_id_index ON household_member (household_id)');
    this.addSql(`
      CREATE TABLE contract (
        id uuid PRIMARY KEY,
        code varchar(19) NOT NULL CONSTRAINT contract_code_unique UNIQUE,
        issuer_code varchar(14) NOT NULL,
        household_id uuid NOT NULL,
        mode varchar(255) NOT NULL,
        term_start date NOT NULL,
        term_end date NOT NULL,
        status varchar(255) NOT NULL,
        village_code varchar(12) NOT NULL,
        township_code varchar(9) NOT NULL,
        total_area_mu4 bigint NOT NULL,
        second_round_end date NULL,
        adjustment_forbidden boolean NOT NULL DEFAULT false,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    for (const column of ['issuer_code', 'household_id', 'status', 'village_code', 'township_code']) {
      this.addSql(`CREATE INDEX contract_${column}_index ON contract (${column})`);
    }
    this.addSql(`
      CREATE TABLE plot (
        code varchar(19) PRIMARY KEY,
        contract_id uuid NOT NULL,
        name varchar(255) NOT NULL,
        contract_area_mu4 bigint NOT NULL,
        surveyed_area_mu4 bigint NOT NULL,
        land_class varchar(255) NOT NULL,
        basic_farmland boolean NOT NULL,
        boundary_east varchar(255) NOT NULL DEFAULT '',
        boundary_south varchar(255) NOT NULL DEFAULT '',
        boundary_west varchar(255) NOT NULL DEFAULT '',
        boundary_north varchar(255) NOT NULL DEFAULT '',
        geometry jsonb NULL
      )`);
    this.addSql('CREATE INDEX plot_contract_id_index ON plot (contract_id)');
  }
}
