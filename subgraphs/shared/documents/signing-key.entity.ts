import { Column, Entity, PrimaryColumn, Table, type QueryRunner } from 'typeorm';

/**
 * A key pair a shard signs its credentials with (ES256). Generated on first use; every key ever used stays
 * here and in the published JWKS, so credentials signed with an older key keep verifying.
 */
@Entity('signing_key')
export class SigningKeyRecord {
  /** The key ID: its RFC 7638 thumbprint. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid!: string;

  @Column({ type: 'varchar', length: 10 })
  algorithm!: string;

  /** The public JWK, published in the JWKS. */
  @Column({ type: 'text' })
  publicJwk!: string;

  /** The private JWK. Kept in the shard's own database, like the rest of its data; never served. */
  @Column({ type: 'text' })
  privateJwk!: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt!: Date;
}

/** The table as a migration creates it; each kind that signs calls this from a migration of its own. */
export async function createSigningKeyTable(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.createTable(
    new Table({
      name: 'signing_key',
      columns: [
        { name: 'kid', type: 'varchar', length: '64', isPrimary: true },
        { name: 'algorithm', type: 'varchar', length: '10' },
        { name: 'publicJwk', type: 'text' },
        { name: 'privateJwk', type: 'text' },
        { name: 'createdAt', type: 'datetime', precision: 3 },
      ],
    }),
  );
}
