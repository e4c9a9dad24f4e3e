import { decodeAddress, encodeNumberAddress, encodeSmscAddress, type AddressType } from './address.js';
import { MMS, MTI_STATUS_REPORT, octetOption } from './first-octet.js';
import { octetsToHex, type OctetReader } from './octets.js';
import { decodeTimestamp, encodeTimestamp } from './timestamp.js';

/** What a TP-ST value means for the outbox. */
export type DeliveryOutcome = 'delivered' | 'pending' | 'failed';

/** A delivery report for a message the box sent with TP-SRR. */
export interface DecodedStatusReport {
  type: 'status-report';
  smsc: string | null;
  /** TP-MR of the SUBMIT this reports on (the `+CMGS: <mr>` value). */
  messageReference: number;
  recipient: string;
  recipientType: AddressType;
  /** TP-SCTS: when the SMSC accepted the SUBMIT. */
  submittedAt: Date;
  /** TP-DT: when the status below was reached. */
  dischargedAt: Date;
  /** TP-ST, raw. */
  status: number;
  outcome: DeliveryOutcome;
}

/**
 * Classifies TP-ST (TS 23.040 §9.2.3.15): 0x00-0x1F transaction completed; 0x20-0x3F temporary
 * error, SC still trying; 0x40-0x5F permanent error; 0x60-0x7F temporary error the SC gave up on.
 * Reserved values (bit 7 set) promise neither delivery nor another attempt, so they count as
 * failed: waiting for a report that will never come would leave the message pending for ever.
 */
export function classifyStatus(status: number): DeliveryOutcome {
  if (status >= 0x80) return 'failed';
  if (status < 0x20) return 'delivered';
  if (status < 0x40) return 'pending';
  return 'failed';
}

/**
 * Decodes the TPDU after the SMSC prefix; the reader sits on the first octet. The optional
 * TP-PI/PID/DCS/UD that may follow TP-ST carry nothing the box uses and are not read.
 */
export function decodeStatusReportTpdu(
  reader: OctetReader,
  smsc: string | null,
): DecodedStatusReport {
  reader.byte('first octet');
  const messageReference = reader.byte('TP-MR');
  const ra = decodeAddress(reader, 'TP-RA');
  const scts = decodeTimestamp(reader.bytes(7, 'TP-SCTS'), 'TP-SCTS');
  const dt = decodeTimestamp(reader.bytes(7, 'TP-DT'), 'TP-DT');
  const status = reader.byte('TP-ST');
  return {
    type: 'status-report',
    smsc,
    messageReference,
    recipient: ra.value,
    recipientType: ra.type,
    submittedAt: scts.date,
    dischargedAt: dt.date,
    status,
    outcome: classifyStatus(status),
  };
}

/** A status report to fabricate (simulated modem, tests). */
export interface StatusReportOptions {
  messageReference: number;
  recipient: string;
  submittedAt: Date;
  dischargedAt: Date;
  status: number;
  /** Default 330 (IST). */
  tzOffsetMinutes?: number;
  /** Default null (`00`). */
  smsc?: string | null;
}

/** Builds an SMS-STATUS-REPORT PDU (hex with SMSC prefix). */
export function encodeStatusReport(opts: StatusReportOptions): string {
  const tz = opts.tzOffsetMinutes ?? 330;
  const tpdu = [
    MTI_STATUS_REPORT | MMS,
    octetOption(opts.messageReference, 'messageReference'),
    ...encodeNumberAddress(opts.recipient),
    ...encodeTimestamp(opts.submittedAt, tz),
    ...encodeTimestamp(opts.dischargedAt, tz),
    octetOption(opts.status, 'status'),
  ];
  return octetsToHex([...encodeSmscAddress(opts.smsc ?? null), ...tpdu]);
}
