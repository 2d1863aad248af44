/** A period: a year (`"2024"`) or a range (`"2024-01-01..2024-06-30"`). */
export type PeriodText = string;

/** What became of a record. */
export type Status = "scored" | "not_applicable" | "error";

/** One problem with a record: the field (`null`: the record as a whole), a stable code (`record.missing`, `record.type`, …) and a message in Vietnamese. */
export interface FieldError {
  field: string | null;
  code: string;
  message: string;
}

/** A band whose minimum the total reached but whose condition was not met. */
export interface UnmetBand {
  /** The band's code. */
  band: string;
  /** Why, in Vietnamese. */
  reason: string;
}

/** The pack a result came from. */
export interface PackRef {
  id: string;
  version: string;
  /** SHA-256 of the pack's exact sources. */
  fingerprint: string;
}

/**
 * The result of scoring one record: the same object as the CLI's JSON line
 * (keys in the same order: id, the carried fields, period, status, …).
 * Points are numbers rounded to 2 decimals. `groups`, `criteria` and
 * `reasons` are keyed by id, in the pack's order, and empty unless scored.
 */
export interface ScoreResult {
  id: string | null;
  /** The evaluation period, as given (`"2024"`). */
  period: string;
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
  /** Bands passed over because their condition was not met, best first. */
  unmet: UnmetBand[];
  /** The reason for every criterion's points, in Vietnamese. */
  reasons: Record<string, string>;
  errors: FieldError[];
  pack: PackRef;
  /** The identifying fields the pack carries into results (`name`, `province`, …), as given. */
  [carried: string]: unknown;
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
}

export interface BandInfo {
  /** The class code (`"tot"`). */
  code: string;
  label: string;
  /** The lowest total that reaches it. */
  min: number;
  /** Whether the band has a further condition besides `min`. */
  has_condition: boolean;
  /** That condition, in words, when the pack gives them. */
  condition: string | null;
}

export interface GateInfo {
  id: string;
  label: string;
  /** The best class code a record may have when the gate fires. */
  cap: string;
  location: SourceLocation;
}

export interface DeadlineInfo {
  id: string;
  label: string;
  month: number;
  day: number;
  to: string;
}

/** The limits a pack's scripts run under (see `Pack.fromSources`). */
export interface Limits {
  max_operations: number;
  max_load_operations: number;
  max_call_levels: number;
  max_expr_depth: number;
  max_string_size: number;
  max_array_size: number;
  max_map_size: number;
  max_modules: number;
  max_variables: number;
  max_source_size: number;
  max_extends_depth: number;
  /** Time one evaluation may take (wall time in WebAssembly). */
  max_time_ms: number;
  max_memory_bytes: number;
}

/** `pack.info()`: the core's pack description, as `chamdiem check --json` prints it. */
export interface PackInfo {
  id: string;
  title: string;
  version: string;
  description: string | null;
  /** Ids of the packs it extends, nearest first. */
  extends: string[];
  sources: string[];
  fingerprint: string;
  /** `YYYY-MM-DD`, null for open-ended. */
  in_force_from: string | null;
  in_force_until: string | null;
  max_points: number;
  fields: FieldSpec[];
  groups: GroupInfo[];
  criteria: CriterionInfo[];
  /** Best first. */
  bands: BandInfo[];
  gates: GateInfo[];
  has_applicability: boolean;
  calendar: DeadlineInfo[];
  /** The examples file, if the pack has one. */
  examples: string | null;
  limits: Limits;
}

/** One line of `packs()`. */
export interface PackSummary {
  id: string;
  title: string;
  version: string;
  description: string | null;
  extends: string[];
  in_force_from: string | null;
  in_force_until: string | null;
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

/**
 * Codes of the errors the package throws: the core's stable code in capitals
 * (`pack.syntax` → `PACK_SYNTAX`), `LIMIT_EXCEEDED` for every limit, and
 * `INVALID_ARGUMENT` for a bad argument from JavaScript.
 */
export type ErrorCode =
  | "PACK_SYNTAX"
  | "PACK_INVALID" | "PACK_UNKNOWN_KEY" | "PACK_MISSING_KEY" | "PACK_DUPLICATE_ID"
  | "PACK_UNKNOWN_ID" | "PACK_UNDECLARED_FIELD" | "PACK_CYCLE" | "PACK_POINTS" | "PACK_BANDS"
  | "PACK_RESERVED_NAME"
  | "PACK_RUNTIME"
  | "RULE_RUNTIME"
  | "PACK_IMPORT"
  | "PACK_NOT_FOUND"
  | "PACK_NOT_IN_FORCE"
  | "PERIOD_INVALID"
  | "INPUT_UNREADABLE"
  | "IO"
  | "LIMIT_EXCEEDED"
  | "INVALID_ARGUMENT";

/** Every error thrown by the package is an `Error` with these properties. */
export interface ChamdiemError extends Error {
  name: "ChamdiemError";
  code: ErrorCode;
  /** The core's own code (`"limit.operations"`, `"pack.syntax"`); absent for `INVALID_ARGUMENT`. */
  coreCode?: string;
  /** The pack file, for errors in a pack. */
  file?: string;
  line?: number;
  column?: number;
  /** The argument or record field at fault (`"period"`). */
  field?: string;
  /** For `LIMIT_EXCEEDED`: which limit (`"limit.operations"`, `"limit.time"`). */
  limit?: string;
  /** What was running (`"criterion 2.1"`, `"loading"`). */
  context?: string;
}

/** Options of `pack.scoreWorkbook`: the sheet to read, by name (the first when absent). */
export interface WorkbookOptions {
  sheet?: string;
}

/** A result of `pack.scoreWorkbook`: the CLI's JSON line, with the row it came from. */
export interface WorkbookResult extends ScoreResult {
  source: {
    /** The sheet read. */
    sheet: string;
    /** The row, from 1 as Excel numbers it. */
    row: number;
  };
}
