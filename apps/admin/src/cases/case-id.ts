import { cstDay } from '../oversight/day-range';

/** A case id as formatCaseId writes it. */
export const CASE_ID = /^SC-\d{8}-\d{4,}$/;

/** `SC-20240206-0001`: the day the case opened (China Standard Time) and its number that day. */
export function formatCaseId(openedAt: Date, numberOfDay: number): string {
  return `SC-${cstDay(openedAt).replace(/-/g, '')}-${String(numberOfDay).padStart(4, '0')}`;
}
