/** A period: a year (`"2024"`) or a range (`"2024-01-01..2024-06-30"`). */
export type PeriodText = string;

/** What became of a record. */
export type Status = "scored" | "not_applicable" | "error";

/** One problem with a record: the field (`null`: the record as a whole) and a message in Vietnamese. */
export interface FieldError {
  field: string | null;
  message: string;
}

/** The pack a result came from. */
export interface PackRef {
  id: string;
  version: string;
  /** SHA-256 of the pack's exact sources. */
  fingerprint: string;
}

/**
 * The result of scoring one record: the same object as the CLI's JSON line.
 * Points are numbers rounded to 2 decimals. `groups`, `criteria` and
 * `reasons` are keyed by id, in the pack's order, and empty unless scored.
 */
export interface ScoreResult {
  id: string | null;
  status: Status;
  total: number | null;
  /** The class code (`"tot"`), or null unless scored. */
  class: string | null;
  /** The class's Vietnamese label (`"Tốt"`). */
  class_label: string | null;
  groups: Record<string, number>;
  criteria: Record<string, number>;
  /** Ids of the gates that fired (each caps the class). */
  gates: string[];
  /** The reason for every criterion's points, in Vietnamese. */
  reasons: Record<string, string>;
  errors: FieldError[];
  pack: PackRef;
}

/** A field type: `bool`, `int`, `number`, `string`, `date` or `list<T>`. */
export type FieldTypeName =
  | "bool" | "int" | "number" | "string" | "date"
  | `list<${"bool" | "int" | "number" | "string" | "date"}>`;

/** One declared input field. */
export interface FieldSpec {
  /** The key in the record (`"employees"`). */
  name: string;
  type: FieldTypeName;
  /** A label for people, in Vietnamese. */
  label: string;
  required: boolean;
  /** May the value be null (for example "no conference held")? */
  nullable: boolean;
  min: number | null;
  max: number | null;
  /** Allowed values (strings), or null for any. */
  values: string[] | null;
  /** Another integer field this one may not exceed. */
  at_most: string | null;
  description: string | null;
}

/** `pack.schema()`: the input fields a record may have. */
export interface PackSchema {
  pack: PackRef;
  fields: FieldSpec[];
}

/** Days in force (`YYYY-MM-DD`), null for open-ended. */
export interface InForce {
  from: string | null;
  until: string | null;
}

/** Where in a pack's sources something is declared. */
export interface SourceLocation {
  file: string;
  line: number | null;
  column: number | null;
}

export interface GroupInfo {
  id: string;
  label: string;
  /** The sum of its criteria's points. */
  max: number;
}

export interface CriterionInfo {
  id: string;
  group: string;
  label: string;
  /** The most points it can give. */
  points: number;
  location: SourceLocation;
  /** The record fields its rule reads (null: cannot be known). */
  reads: string[] | null;
}

export interface BandInfo {
  /** The class code (`"tot"`). */
  code: string;
  label: string;
  /** The lowest total that reaches it. */
  min: number;
}

export interface GateInfo {
  id: string;
  label: string;
  /** The best class code a record may have when the gate fires. */
  cap: string;
  location: SourceLocation;
  reads: string[] | null;
}

export interface DeadlineInfo {
  id: string;
  label: string;
  month: number;
  day: number;
  to: string;
}

/** `pack.info()`. */
export interface PackInfo {
  id: string;
  title: string;
  version: string;
  description: string | null;
  fingerprint: string;
  in_force: InForce;
  max_points: number;
  /** Ids of the packs it extends, nearest first. */
  extends: string[];
  sources: string[];
  groups: GroupInfo[];
  criteria: CriterionInfo[];
  /** Best first. */
  bands: BandInfo[];
  gates: GateInfo[];
  calendar: DeadlineInfo[];
}

/** One line of `packs()`. */
export interface PackSummary {
  id: string;
  title: string;
  version: string;
  description: string | null;
  in_force: InForce;
  fingerprint: string;
}

/** An example of `examples.jsonl` that did not give its expected result. */
export interface ExampleFailure {
  name: string;
  /** Its line in the examples file. */
  line: number;
  /** What differed (`"total: cần 80, được 75"`), in Vietnamese. */
  failures: string[];
}

/** Formats `pack.scoreFile` reads. */
export type InputFormatName = "csv" | "jsonl" | "json";

/** Codes of the errors the package throws. */
export type ErrorCode =
  | "PACK_SYNTAX"
  | "PACK_INVALID"
  | "LIMIT_EXCEEDED"
  | "PACK_SCRIPT"
  | "PACK_IMPORT"
  | "PACK_NOT_FOUND"
  | "PACK_NOT_IN_FORCE"
  | "PERIOD_INVALID"
  | "INPUT_INVALID"
  | "IO"
  | "INVALID_ARGUMENT"
  | "ERROR";

/** Every error thrown by the package is an `Error` with these properties. */
export interface ChamdiemError extends Error {
  name: "ChamdiemError";
  code: ErrorCode;
  /** The pack file, for errors in a pack. */
  file?: string;
  line?: number;
  column?: number;
  /** The argument or record field at fault (`"period"`). */
  field?: string;
  /** For `LIMIT_EXCEEDED`: the setting (`"max_operations"`). */
  limit?: string;
  /** What was running (`"criterion 2.1"`, `"loading"`). */
  context?: string;
}
