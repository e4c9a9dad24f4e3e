import { intParam, optionalIntParam, optionalTextParam, prefixedParams } from './params.js';

/** The current operator from the `AT+COPS?` read response (27.007 §7.3). */
export interface OperatorInfo {
  /** 0 automatic, 1 manual, 2 deregistered, 3 set-format only, 4 manual then automatic. */
  mode: number;
  /** Format of `operator`: 0 long alphanumeric, 1 short alphanumeric, 2 numeric MCC+MNC. */
  format: number | null;
  /** `Jio 4G`, `IND airtel`, `40410`; `null` when not registered. */
  operator: string | null;
  /** Access technology: 0 GSM, 2 UTRAN, 3 EDGE, 7 E-UTRAN (LTE), … */
  act: number | null;
}

/**
 * Parse `+COPS: <mode>[,<format>,<oper>[,<AcT>]]`. The `AT+COPS=?` scan result (a list of
 * parenthesised tuples) is a different response and gives `null`.
 */
export function parseCops(line: string): OperatorInfo | null {
  const params = prefixedParams(line, '+COPS');
  if (params === null || params.length < 1 || params.length > 4) return null;
  const [modeP, formatP, operP, actP] = params;
  const mode = intParam(modeP);
  const format = optionalIntParam(formatP);
  const act = optionalIntParam(actP);
  if (mode === undefined || mode > 4 || format === undefined || act === undefined) return null;
  if (format !== null && format > 2) return null;
  const operator = optionalTextParam(operP);
  // An operator name without a format to read it by is not a valid response.
  if (operator !== null && format === null) return null;
  return { mode, format, operator: operator === null ? null : operator.trim() || null, act };
}
