/**
 * SMS PDU codec (3GPP TS 23.040 / 23.038): SMS-SUBMIT for `AT+CMGS` in PDU mode, and decoding of
 * what a modem hands back (SMS-DELIVER, SMS-STATUS-REPORT, SMS-SUBMIT). Pure: no I/O, no clock.
 */
export type { ConcatInfo, InformationElement, SmsEncoding } from './types.js';
export {
  planText,
  MAX_PARTS,
  MULTI_GSM7_SEPTETS,
  MULTI_UCS2_UNITS,
  SINGLE_GSM7_SEPTETS,
  SINGLE_UCS2_UNITS,
  type PlanOptions,
  type TextPlan,
} from './plan.js';
export { encodeSubmit, type DecodedSubmit, type SubmitOptions, type SubmitPart } from './submit.js';
export { encodeDeliver, type DecodedDeliver, type DeliverOptions } from './deliver.js';
export {
  classifyStatus,
  encodeStatusReport,
  type DecodedStatusReport,
  type DeliveryOutcome,
  type StatusReportOptions,
} from './status-report.js';
export { decodePdu, type DecodedPdu, type DecodeOptions } from './decode.js';
export { gsm7CharCost, isGsm7 } from './gsm7.js';
export type { AddressType } from './address.js';
export { decodeRelativeValidity, encodeRelativeValidity } from './validity.js';
export { PduError, isPduError, type PduErrorCode } from './errors.js';
