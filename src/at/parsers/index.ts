/**
 * Pure parsers for AT information lines and URCs (27.007, 27.005 and vendor variants from
 * SIMCom, Quectel, Huawei and ZTE). Each takes one line without CR/LF and returns a typed
 * value or `null`; none throws.
 */
export * from './params.js';
export * from './clip.js';
export * from './cring.js';
export * from './csq.js';
export * from './creg.js';
export * from './cops.js';
export * from './clcc.js';
export * from './errors.js';
export * from './cmti.js';
export * from './cmgs.js';
export * from './cmt.js';
export * from './cds.js';
export * from './cmgr.js';
export * from './cpms.js';
export * from './callEnd.js';
export * from './identity.js';
