import { errorCodes, ErrorKind } from '@app/domain';

export const ReportsError = errorCodes('ReportsError', {
  /** No chromium to print with, or it failed: the HTML report still works. */
  PDF_UNAVAILABLE: ErrorKind.Unavailable,
});
