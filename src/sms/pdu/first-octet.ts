import { PduError } from './errors.js';

/** TP-MTI values, bits 1-0 of the first octet, as seen by the box (TS 23.040 §9.2.3.1). */
export const MTI_DELIVER = 0x00;
export const MTI_SUBMIT = 0x01;
export const MTI_STATUS_REPORT = 0x02;

/** SUBMIT: TP-VPF, bits 4-3. */
export const VPF_MASK = 0x18;
export const VPF_NONE = 0x00;
export const VPF_ENHANCED = 0x08;
export const VPF_RELATIVE = 0x10;
export const VPF_ABSOLUTE = 0x18;
/** SUBMIT: TP-RD. */
export const RD = 0x04;
/** SUBMIT: TP-SRR. DELIVER: TP-SRI. STATUS-REPORT: TP-SRQ. Same bit, three names. */
export const STATUS_REPORT_BIT = 0x20;
/** DELIVER / STATUS-REPORT: TP-MMS. Set means *no* more messages are waiting. */
export const MMS = 0x04;
/** TP-UDHI: the user data starts with a header. */
export const UDHI = 0x40;
/** TP-RP. */
export const RP = 0x80;

/** TP-PID 0x00: a plain short message to an SME. */
export const PID_DEFAULT = 0x00;

/** Returns `value` when it is an integer 0-255, else throws `PDU_INVALID` naming the option. */
export function octetOption(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new PduError('PDU_INVALID', `${name} must be an integer 0-255, got ${value}`);
  }
  return value;
}
