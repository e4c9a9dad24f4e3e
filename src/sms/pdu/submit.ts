import { decodeAddress, encodeNumberAddress, type AddressType } from './address.js';
import { decodeDcs, encodeDcs } from './dcs.js';
import { PduError } from './errors.js';
import {
  MTI_SUBMIT,
  octetOption,
  PID_DEFAULT,
  RD,
  STATUS_REPORT_BIT,
  UDHI,
  VPF_MASK,
  VPF_NONE,
  VPF_RELATIVE,
} from './first-octet.js';
import { octetsToHex, type OctetReader } from './octets.js';
import { MAX_PARTS, planText } from './plan.js';
import type { ConcatInfo, SmsEncoding } from './types.js';
import { buildConcatHeader } from './udh.js';
import { decodeUserData, encodeUserData } from './user-data.js';
import { decodeRelativeValidity, encodeRelativeValidity } from './validity.js';

/** What to send. */
export interface SubmitOptions {
  /** `+919812345678` (international) or national digits, already normalised. */
  to: string;
  text: string;
  /** TP-SRR. Default false. */
  requestStatusReport?: boolean;
  /** Relative validity, rounded up to what TP-VP can express. Default null: no TP-VP field. */
  validityMinutes?: number | null;
  /**
   * TP-MR, the same on every part. Default 0. Most modems replace it with their own counter; the
   * `+CMGS: <mr>` reply is the value a status report will carry.
   */
  messageReference?: number;
  /** Concatenation reference 0-255; must stay the same for every part when a send is retried. */
  concatReference?: number;
  /** Send as UCS-2 even when GSM-7 would do. */
  forceUcs2?: boolean;
}

/** One `AT+CMGS` worth of PDU. */
export interface SubmitPart {
  /** Uppercase hex, starting with `00` (use the SIM's SMSC). */
  pdu: string;
  /** The `<length>` for `AT+CMGS=<length>`: TPDU octets, the SMSC octet excluded. */
  tpduLength: number;
  /** 1-based. */
  partNumber: number;
  totalParts: number;
  /** The slice of the text this part carries. */
  text: string;
}

/**
 * Builds the SMS-SUBMIT PDUs for a text: one per part, GSM-7 or UCS-2 as {@link planText} decides,
 * with an 8-bit-reference concatenation header when there is more than one part.
 */
export function encodeSubmit(opts: SubmitOptions): SubmitPart[] {
  const mr = octetOption(opts.messageReference ?? 0, 'messageReference');
  const reference = octetOption(opts.concatReference ?? 0, 'concatReference');
  const da = encodeNumberAddress(opts.to);
  const validity = opts.validityMinutes ?? null;
  const vp = validity === null ? null : encodeRelativeValidity(validity);
  const plan = planText(opts.text, { forceUcs2: opts.forceUcs2 ?? false });
  const total = plan.parts.length;
  if (total > MAX_PARTS) {
    throw new PduError('PDU_INVALID', `text needs ${total} parts (max ${MAX_PARTS})`);
  }
  const multipart = total > 1;
  const firstOctet =
    MTI_SUBMIT |
    (vp === null ? VPF_NONE : VPF_RELATIVE) |
    (opts.requestStatusReport ? STATUS_REPORT_BIT : 0) |
    (multipart ? UDHI : 0);
  const dcs = encodeDcs(plan.encoding);

  return plan.parts.map((text, index) => {
    const header = multipart
      ? buildConcatHeader({ reference, total, sequence: index + 1, referenceBits: 8 })
      : null;
    const tpdu = Uint8Array.of(
      firstOctet,
      mr,
      ...da,
      PID_DEFAULT,
      dcs,
      ...(vp === null ? [] : [vp]),
      ...encodeUserData(text, plan.encoding, header),
    );
    return {
      pdu: `00${octetsToHex(tpdu)}`,
      tpduLength: tpdu.length,
      partNumber: index + 1,
      totalParts: total,
      text,
    };
  });
}

/** An SMS-SUBMIT read back (the simulated modem, tests, `AT+CMGL` of stored drafts). */
export interface DecodedSubmit {
  type: 'submit';
  smsc: string | null;
  to: string;
  toType: AddressType;
  text: string;
  encoding: SmsEncoding | '8bit';
  concat: ConcatInfo | null;
  messageReference: number;
  statusReportRequested: boolean;
  rejectDuplicates: boolean;
  /** Minutes for a relative TP-VP; null when absent or in the absolute/enhanced formats. */
  validityMinutes: number | null;
  pid: number;
  dcs: number;
}

/** Decodes the TPDU after the SMSC prefix; the reader sits on the first octet. */
export function decodeSubmitTpdu(reader: OctetReader, smsc: string | null): DecodedSubmit {
  const first = reader.byte('first octet');
  const messageReference = reader.byte('TP-MR');
  const da = decodeAddress(reader, 'TP-DA');
  const pid = reader.byte('TP-PID');
  const dcs = reader.byte('TP-DCS');
  const vpf = first & VPF_MASK;
  let validityMinutes: number | null = null;
  if (vpf === VPF_RELATIVE) {
    validityMinutes = decodeRelativeValidity(reader.byte('TP-VP'));
  } else if (vpf !== VPF_NONE) {
    reader.bytes(7, 'TP-VP'); // absolute or enhanced: read past, not interpreted
  }
  const coding = decodeDcs(dcs);
  if (coding.compressed) {
    throw new PduError('PDU_UNSUPPORTED', 'compressed user data is not supported', {
      field: 'TP-DCS',
    });
  }
  const ud = decodeUserData(reader, coding.encoding, (first & UDHI) !== 0);
  return {
    type: 'submit',
    smsc,
    to: da.value,
    toType: da.type,
    text: ud.text,
    encoding: coding.encoding,
    concat: ud.header?.concat ?? null,
    messageReference,
    statusReportRequested: (first & STATUS_REPORT_BIT) !== 0,
    rejectDuplicates: (first & RD) !== 0,
    validityMinutes,
    pid,
    dcs,
  };
}
