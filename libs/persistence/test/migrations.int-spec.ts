import { randomBytes } from 'node:crypto';
import { ConsoleLogger, Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import {
  Column,
  DataSource,
  Entity,
  PrimaryGeneratedColumn,
  type MigrationInterface,
  type QueryRunner,
  type Repository,
} from 'typeorm';
import { ConfigModule, envString } from '@app/config';
import {
  PersistenceModule,
  dataSourceOptions,
  databaseUrlOnServer,
  runMigrations,
  withMaintenanceClient,
} from '@app/persistence';
import { createTestDatabase, type TestDatabase } from '@app/testing';

@Entity('notes')
class Note {
  @PrimaryGeneratedColumn() id!: number;
  @Column('text') body!: string;
}

class CreateNotes1700000000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)');
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE notes');
  }
}

class IndexNotes1700000000001 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE INDEX notes_body ON notes (body)');
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX notes_body');
  }
}

const notesDatabase = {
  service: 'notes',
  entities: [Note],
  migrations: [CreateNotes1700000000000, IndexNotes1700000000001],
};

@Injectable()
class NoteBook {
  constructor(@InjectRepository(Note) private readonly notes: Repository<Note>) {}
  async write(body: string): Promise<number> {
    return (await this.notes.save(this.notes.create({ body }))).id;
  }
  count(): Promise<number> {
    return this.notes.count();
  }
}

describe('migrations', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('migrations');
  });

  afterAll(() => database.drop());

  it('runMigrations applies pending migrations in order, then nothing', async () => {
    expect(await runMigrations(database.url, notesDatabase, undefined, process.env)).toEqual([
      'CreateNotes1700000000000',
      'IndexNotes1700000000001',
    ]);
    expect(await runMigrations(database.url, notesDatabase, undefined, process.env)).toEqual([]);
  });

  it('records them in the service migrations table and maps the entity', async () => {
    const dataSource = await new DataSource(
      dataSourceOptions(database.url, notesDatabase, undefined, process.env),
    ).initialize();
    try {
      const applied = await dataSource.query('SELECT name FROM notes_migrations ORDER BY id');
      expect(applied).toEqual([{ name: 'CreateNotes1700000000000' }, { name: 'IndexNotes1700000000001' }]);
      const saved = await dataSource.getRepository(Note).save({ body: 'mapped' });
      expect(await dataSource.getRepository(Note).findOneBy({ id: saved.id })).toEqual({
        id: saved.id,
        body: 'mapped',
      });
    } finally {
      await dataSource.destroy();
    }
  });

  it('PersistenceModule on DATABASE_URL creates the service database and migrates it at start', async () => {
    const instance = `T${randomBytes(3).toString('hex')}`;
    const env = { DATABASE_URL: envString(process.env, 'DATABASE_URL') };
    const url = databaseUrlOnServer(env.DATABASE_URL, 'notes', instance);
    const app = await Test.createTestingModule({
      imports: [
        ConfigModule.forEnv(env),
        PersistenceModule.forService(notesDatabase, { instance }),
        TypeOrmModule.forFeature([Note]),
      ],
      providers: [NoteBook],
    })
      .setLogger(new ConsoleLogger({ logLevels: ['error'] }))
      .compile();
    try {
      await app.init();
      const notes = app.get(NoteBook);
      await notes.write('first');
      expect(await notes.count()).toBe(1);
      expect(await runMigrations(url, notesDatabase, instance, env)).toEqual([]);
    } finally {
      await app.close();
      await withMaintenanceClient(url, (client) =>
        client.query(
          `DROP DATABASE IF EXISTS ${client.escapeIdentifier(`fraud_notes_${instance.toLowerCase()}`)} WITH (FORCE)`,
        ),
      );
    }
  });
});
