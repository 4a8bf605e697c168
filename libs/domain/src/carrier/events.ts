import type { CarrierId } from '../carriers';
import type { CellId } from '../cell';
import type { Msisdn } from '../msisdn';

export type { CarrierId };

/** Declared usage of a number (DESIGN.md §3). */
export enum UsageProfile {
  None = 'none',
  Courier = 'courier',
  Delivery = 'delivery',
  Logistics = 'logistics',
  Enterprise = 'enterprise',
}

export enum ReportCategory {
  Fraud = 'fraud',
  Harassment = 'harassment',
  Spam = 'spam',
}

/** Every event carries its event time (ms since the epoch) and, optionally, an id for de-duplication. */
interface EventBase {
  id?: string;
  at: number;
}

export interface SubscriberEvent extends EventBase {
  type: 'subscriber';
  msisdn: Msisdn;
  carrier: CarrierId;
  activatedAt: number;
  realNameVerified: boolean;
  profile: UsageProfile;
}

export interface HighRiskCellEvent extends EventBase {
  type: 'high_risk_cell';
  cell: CellId;
  /** When the cell stops being high-risk; absent = until removed. */
  until?: number;
  /** True when the cell is taken off the list at `at`. */
  removed?: boolean;
}

export interface CallEvent extends EventBase {
  type: 'call';
  caller: Msisdn;
  callee: Msisdn;
  durationSec: number;
  answered: boolean;
  cell?: CellId;
}

export interface SmsEvent extends EventBase {
  type: 'sms';
  sender: Msisdn;
  recipient: Msisdn;
  cell?: CellId;
}

export interface LocationEvent extends EventBase {
  type: 'location';
  msisdn: Msisdn;
  cell: CellId;
}

export interface ReportEvent extends EventBase {
  type: 'report';
  reporter: Msisdn;
  reported: Msisdn;
  category: ReportCategory;
}

export interface ReactivationEvent extends EventBase {
  type: 'reactivation';
  msisdn: Msisdn;
  idVerified: boolean;
}

export interface PoliceClearEvent extends EventBase {
  type: 'police_clear';
  msisdn: Msisdn;
}

export type CarrierEvent =
  | SubscriberEvent
  | HighRiskCellEvent
  | CallEvent
  | SmsEvent
  | LocationEvent
  | ReportEvent
  | ReactivationEvent
  | PoliceClearEvent;

export type EventType = CarrierEvent['type'];
