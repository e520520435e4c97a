export declare const OID_INT8: 20;
export declare const OID_NUMERIC: 1700;
export declare const OID_DATE: 1082;
export declare const OID_INT8_ARRAY: 1016;
export declare const OID_NUMERIC_ARRAY: 1231;
export declare const OID_DATE_ARRAY: 1182;
export declare function toNumber(value: string): number;
