import { decodeSmscAddress } from './address.js';
import { decodeDeliverTpdu, type DecodedDeliver } from './deliver.js';
import { PduError } from './errors.js';
import { MTI_DELIVER, MTI_STATUS_REPORT, MTI_SUBMIT } from './first-octet.js';
import { hexToOctets, OctetReader } from './octets.js';
import { decodeStatusReportTpdu, type DecodedStatusReport } from './status-report.js';
import { decodeSubmitTpdu, type DecodedSubmit } from './submit.js';

/** Options for {@link decodePdu}. */
export interface DecodeOptions {
  /** The hex starts with the SMSC prefix (length octet first), as `+CMGR`/`+CMT` print it. Default true. */
  hasSmsc?: boolean;
}

/** Any PDU the box can meet. */
export type DecodedPdu = DecodedDeliver | DecodedStatusReport | DecodedSubmit;

/**
 * Decodes a PDU in the hex form a modem prints. The type comes from TP-MTI: without a direction we
 * read 00 as DELIVER, 01 as SUBMIT (what the box itself sent, or a stored draft) and 10 as
 * STATUS-REPORT, which is what a modem in PDU mode hands us. Bytes after the announced user data are
 * ignored. Throws {@link PduError} and nothing else on bad input.
 */
export function decodePdu(hex: string, options: DecodeOptions = {}): DecodedPdu {
  const octets = hexToOctets(hex);
  const prefix = new OctetReader(octets);
  const smsc = options.hasSmsc === false ? null : decodeSmscAddress(prefix);
  const reader = new OctetReader(octets.subarray(prefix.position), prefix.position);
  const first = octets[prefix.position];
  if (first === undefined) {
    throw new PduError('PDU_TRUNCATED', 'PDU ends before the first TPDU octet', {
      field: 'first octet',
      offset: prefix.position,
    });
  }
  switch (first & 0x03) {
    case MTI_DELIVER:
      return decodeDeliverTpdu(reader, smsc);
    case MTI_SUBMIT:
      return decodeSubmitTpdu(reader, smsc);
    case MTI_STATUS_REPORT:
      return decodeStatusReportTpdu(reader, smsc);
    default:
      throw new PduError('PDU_UNSUPPORTED', 'TP-MTI 11 is reserved', {
        field: 'first octet',
        offset: prefix.position,
      });
  }
}
