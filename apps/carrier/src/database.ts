import {
  AUDIT_APP_PRIVILEGES,
  AuditEventEntity,
  CreateAuditLog1764400000000,
  NormaliseAuditTargets1764400000710,
} from '@app/audit';
import type { ServiceDatabase } from '@app/persistence';
import { CreateCarrier1764400000200 } from './migrations/1764400000200-create-carrier';
import { OutboxFailedAt1764400000310 } from './migrations/1764400000310-outbox-failed-at';
import { AdminLink1764400000330 } from './migrations/1764400000330-admin-link';
import { DefaultPolicy21764400000400 } from './migrations/1764400000400-default-policy-2';
import { ConfirmedFraudOutcomes1764400000500 } from './migrations/1764400000500-confirmed-fraud-outcomes';
import { RequestAnswerState1764400000460 } from './migrations/1764400000460-request-answer-state';
import { DecisionTerm1764400000720 } from './migrations/1764400000720-decision-term';
import { ReviewTasks1764400000800 } from './migrations/1764400000800-review-tasks';
import { RuleBudget1764400000810 } from './migrations/1764400000810-rule-budget';
import { CalleeWarnings1764400000820 } from './migrations/1764400000820-callee-warnings';
import { DefaultPolicy31764400000900 } from './migrations/1764400000900-default-policy-3';
import { DefaultPolicy41764400000950 } from './migrations/1764400000950-default-policy-4';
import { EngineEvidence1764400001000 } from './migrations/1764400001000-engine-evidence';
import { CarrierShards1764400001100 } from './migrations/1764400001100-carrier-shards';
import { DefaultPolicy51764400001200 } from './migrations/1764400001200-default-policy-5';

/** The carrier service's tables and migrations, for the app and for `npm run migrate`. */
export const carrierDatabase: ServiceDatabase = {
  service: 'carrier',
  entities: [AuditEventEntity],
  migrations: [
    CreateAuditLog1764400000000,
    CreateCarrier1764400000200,
    OutboxFailedAt1764400000310,
    AdminLink1764400000330,
    DefaultPolicy21764400000400,
    RequestAnswerState1764400000460,
    ConfirmedFraudOutcomes1764400000500,
    NormaliseAuditTargets1764400000710,
    DecisionTerm1764400000720,
    ReviewTasks1764400000800,
    RuleBudget1764400000810,
    CalleeWarnings1764400000820,
    DefaultPolicy31764400000900,
    DefaultPolicy41764400000950,
    EngineEvidence1764400001000,
    CarrierShards1764400001100,
    DefaultPolicy51764400001200,
  ],
  appPrivileges: AUDIT_APP_PRIVILEGES,
};
