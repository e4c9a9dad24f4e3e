import {
  decodeAddress,
  encodeAddress,
  encodeSmscAddress,
  type AddressType,
} from './address.js';
import { decodeDcs, encodeDcs } from './dcs.js';
import { PduError } from './errors.js';
import { MMS, MTI_DELIVER, octetOption, UDHI } from './first-octet.js';
import { octetsToHex, type OctetReader } from './octets.js';
import { MAX_PARTS, planText } from './plan.js';
import { decodeTimestamp, encodeTimestamp } from './timestamp.js';
import type { ConcatInfo, InformationElement, SmsEncoding } from './types.js';
import { buildConcatHeader, concatHeaderLength } from './udh.js';
import { decodeUserData, encodeUserData } from './user-data.js';

/** An incoming message. */
export interface DecodedDeliver {
  type: 'deliver';
  smsc: string | null;
  /** `+9198…`, national digits, or the sender's name (e.g. `VD-HDFCBK`). */
  from: string;
  fromType: AddressType;
  /** For `8bit`, one character per octet (code points 0-255), so the bytes are recoverable. */
  text: string;
  encoding: SmsEncoding | '8bit';
  /** When the SMSC received it. */
  timestamp: Date;
  /** The SMSC's stated offset from UTC (minutes, e.g. 330 for IST). */
  tzOffsetMinutes: number;
  concat: ConcatInfo | null;
  pid: number;
  dcs: number;
  messageClass: number | null;
  /** TP-MMS clear: the SMSC has more messages waiting for this SIM. */
  moreMessages: boolean;
  /** Every information element of the user data header, concatenation included. */
  userDataHeader: InformationElement[];
  /**
   * Why `text` is not the sender's text, or null: GSM-7 written with a national language table
   * this codec does not have (TS 23.038 Annex A). Keep the PDU; do not act on `text`.
   */
  unreadable: string | null;
}

/** Decodes the TPDU after the SMSC prefix; the reader sits on the first octet. */
export function decodeDeliverTpdu(reader: OctetReader, smsc: string | null): DecodedDeliver {
  const first = reader.byte('first octet');
  const oa = decodeAddress(reader, 'TP-OA');
  const pid = reader.byte('TP-PID');
  const dcs = reader.byte('TP-DCS');
  const scts = decodeTimestamp(reader.bytes(7, 'TP-SCTS'), 'TP-SCTS');
  const coding = decodeDcs(dcs);
  if (coding.compressed) {
    throw new PduError('PDU_UNSUPPORTED', 'compressed user data is not supported', {
      field: 'TP-DCS',
    });
  }
  const ud = decodeUserData(reader, coding.encoding, (first & UDHI) !== 0);
  return {
    type: 'deliver',
    smsc,
    from: oa.value,
    fromType: oa.type,
    text: ud.text,
    encoding: coding.encoding,
    timestamp: scts.date,
    tzOffsetMinutes: scts.tzOffsetMinutes,
    concat: ud.header?.concat ?? null,
    pid,
    dcs,
    messageClass: coding.messageClass,
    moreMessages: (first & MMS) === 0,
    userDataHeader: ud.header?.elements ?? [],
    unreadable: ud.unreadable,
  };
}

/** An incoming message to fabricate (simulated modem, tests). */
export interface DeliverOptions {
  /** A number (`+9198…` or digits) or an alphanumeric sender of up to 11 GSM characters. */
  from: string;
  text: string;
  /** The service-centre time stamp; required because this module never reads a clock. */
  timestamp: Date;
  /** Offset stated in the time stamp. Default 330 (IST). */
  tzOffsetMinutes?: number;
  /** SMSC prefix. Default null (`00`). */
  smsc?: string | null;
  /** Default 0. */
  concatReference?: number;
  /** 16 exercises the other concatenation element receivers must handle. Default 8. */
  referenceBits?: 8 | 16;
  forceUcs2?: boolean;
  messageClass?: 0 | 1 | 2 | 3 | null;
  pid?: number;
}

/**
 * Builds SMS-DELIVER PDUs (hex with SMSC prefix) as a network would deliver `text`, split like the
 * box splits its own messages.
 */
export function encodeDeliver(opts: DeliverOptions): string[] {
  const referenceBits = opts.referenceBits ?? 8;
  const reference = opts.concatReference ?? 0;
  if (!Number.isInteger(reference) || reference < 0 || reference >= 2 ** referenceBits) {
    throw new PduError('PDU_INVALID', `concatReference must fit ${referenceBits} bits`);
  }
  const pid = octetOption(opts.pid ?? 0, 'pid');
  const smsc = encodeSmscAddress(opts.smsc ?? null);
  const oa = encodeAddress(opts.from);
  const scts = encodeTimestamp(opts.timestamp, opts.tzOffsetMinutes ?? 330);
  const plan = planText(opts.text, {
    forceUcs2: opts.forceUcs2 ?? false,
    concatHeaderOctets: concatHeaderLength(referenceBits),
  });
  const total = plan.parts.length;
  if (total > MAX_PARTS) {
    throw new PduError('PDU_INVALID', `text needs ${total} parts (max ${MAX_PARTS})`);
  }
  const multipart = total > 1;
  const dcs = encodeDcs(plan.encoding, opts.messageClass ?? null);
  return plan.parts.map((text, index) => {
    const header = multipart
      ? buildConcatHeader({ reference, total, sequence: index + 1, referenceBits })
      : null;
    const tpdu = Uint8Array.of(
      MTI_DELIVER | MMS | (multipart ? UDHI : 0),
      ...oa,
      pid,
      dcs,
      ...scts,
      ...encodeUserData(text, plan.encoding, header),
    );
    return octetsToHex([...smsc, ...tpdu]);
  });
}
