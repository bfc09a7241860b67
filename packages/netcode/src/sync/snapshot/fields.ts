/**
 * Field types of a snapshot schema: how a game value becomes a small integer (quantization), how
 * that integer is written in a full snapshot (absolute) and in a delta (relative to the baseline
 * value), and how it turns back into a value for rendering.
 *
 * Every quantized value is an integer that a JavaScript number holds exactly: int32 for the signed
 * types (`fixed`, `int`), uint32 at most for the others. Deltas use wrapping arithmetic of the
 * type's own range (2^32, or `steps` for angles), so `baseline + delta` always lands exactly on
 * the new value, whatever the jump; flags are delta-coded by XOR, so a flipped bit costs one bit.
 * Quantization is deterministic (Math.round, rounding halves up), maps NaN to 0 and clamps to the
 * type's range, so every peer quantizes a value the same way.
 *
 * References: Glenn Fiedler, "Snapshot Compression" (gafferongames.com, 2015), for quantizing
 * positions and coding them relative to a baseline.
 */

/** Unit of an `angle` field's values in the game's state. */
export type AngleUnit = 'rad' | 'deg' | 'turn';

/** Fixed point: `value ≈ q * step`. Precision `step`; range ±2^31 steps (±134,217,728 px at 1/16 px). */
export interface FixedField {
  readonly type: 'fixed';
  readonly step: number;
}
/** A direction in `steps` equal parts of a turn; wraps, so 359° → 1° is a delta of 2°. Range [0, steps). */
export interface AngleField {
  readonly type: 'angle';
  readonly steps: number;
  readonly unit: AngleUnit;
}
/** A signed integer, int32 range (score, counters). Non-integers are rounded. */
export interface IntField {
  readonly type: 'int';
}
/** An unsigned integer in [0, max] (hp, ammo), max at most 2^32 - 1. */
export interface UintField {
  readonly type: 'uint';
  readonly max: number;
}
/** `count` bit flags (1..32) as an unsigned integer; delta-coded by XOR. */
export interface BitsField {
  readonly type: 'bits';
  readonly count: number;
}
/** A boolean; a change costs no payload bits (the changed-field bit says "flipped"). */
export interface BoolField {
  readonly type: 'bool';
}
/** Another entity's id (uint32), e.g. a projectile's owner. */
export interface RefField {
  readonly type: 'ref';
}

export type FieldSpec = FixedField | AngleField | IntField | UintField | BitsField | BoolField | RefField;

/** The game-side value of a field: booleans for `bool`, numbers for the rest. */
export type FieldValue<F extends FieldSpec> = F extends BoolField ? boolean : number;

const UINT32_MAX = 0xffffffff;
const TURN: Record<AngleUnit, number> = { rad: 2 * Math.PI, deg: 360, turn: 1 };

/**
 * Field type builders for {@link defineSnapshotSchema}.
 *
 * @example
 * ```ts
 * const player = {
 *   x: field.fixed(1 / 16),   // 1/16 px
 *   angle: field.angle(256),  // 1/256 turn, state in radians
 *   hp: field.uint(255),
 *   score: field.int(),
 *   flags: field.bits(8),
 *   alive: field.bool(),
 * };
 * ```
 */
export const field = {
  /** Fixed point with precision `step` (> 0), e.g. `fixed(1 / 16)` for 1/16 px. */
  fixed: (step: number): FixedField => ({ type: 'fixed', step }),
  /** `steps` (2..2^24) parts of a turn; the state holds `unit` (default radians). */
  angle: (steps: number, unit: AngleUnit = 'rad'): AngleField => ({ type: 'angle', steps, unit }),
  /** Signed int32. */
  int: (): IntField => ({ type: 'int' }),
  /** Unsigned integer in [0, max]; default max 2^32 - 1. */
  uint: (max: number = UINT32_MAX): UintField => ({ type: 'uint', max }),
  /** `count` (1..32) bit flags. */
  bits: (count: number): BitsField => ({ type: 'bits', count }),
  /** A boolean. */
  bool: (): BoolField => ({ type: 'bool' }),
  /** An entity id (uint32). */
  ref: (): RefField => ({ type: 'ref' }),
};

/** How a delta combines with the baseline value. */
export const DeltaOp = { addSigned: 0, addUnsigned: 1, angle: 2, xor: 3 } as const;
export type DeltaOp = (typeof DeltaOp)[keyof typeof DeltaOp];

/** Field types as small integers, for the switch in the hot loops. */
export const FieldCode = { fixed: 0, angle: 1, int: 2, uint: 3, bits: 4, bool: 5, ref: 6 } as const;
export type FieldCode = (typeof FieldCode)[keyof typeof FieldCode];

/** A field ready for coding: its spec plus the numbers the hot loops need. */
export interface CompiledField {
  readonly name: string;
  readonly spec: FieldSpec;
  readonly code: FieldCode;
  /** True when the absolute value is zigzag-coded (int32 types); false for unsigned ones. */
  readonly signed: boolean;
  readonly delta: DeltaOp;
  /** Largest quantized value of an unsigned type (angle: steps - 1). */
  readonly max: number;
  /** Angle: parts per turn; 0 otherwise. */
  readonly steps: number;
  /** Fixed: the step; angle: a turn in the state's unit; 1 otherwise. */
  readonly unit: number;
}

/** Returns a reason when `spec` is not a valid field, else null. */
export function checkFieldSpec(spec: FieldSpec): string | null {
  switch (spec.type) {
    case 'fixed':
      return Number.isFinite(spec.step) && spec.step > 0 ? null : 'fixed step must be a finite number > 0';
    case 'angle':
      if (!Number.isInteger(spec.steps) || spec.steps < 2 || spec.steps > 2 ** 24) {
        return 'angle steps must be an integer in 2..2^24';
      }
      return spec.unit in TURN ? null : 'angle unit must be rad, deg or turn';
    case 'uint':
      return Number.isInteger(spec.max) && spec.max >= 1 && spec.max <= UINT32_MAX
        ? null
        : 'uint max must be in 1..2^32-1';
    case 'bits':
      return Number.isInteger(spec.count) && spec.count >= 1 && spec.count <= 32 ? null : 'bits count must be in 1..32';
    case 'int':
    case 'bool':
    case 'ref':
      return null;
    default:
      return unknownType(spec);
  }
}

function unknownType(spec: never): string {
  return `unknown field type ${JSON.stringify(spec)}`;
}

function roundInt32(value: number): number {
  const q = Math.round(value);
  if (q >= 2147483647) return 2147483647;
  if (q <= -2147483648) return -2147483648;
  return q | 0; // NaN → 0, -0 → 0
}

function roundUint(value: number, max: number): number {
  const q = Math.round(value);
  if (q >= max) return max;
  return q > 0 ? q >>> 0 : 0; // NaN → 0
}

/** Quantizes a game value (a boolean counts as 0 or 1, anything else as a number). */
export function quantizeValue(f: CompiledField, value: number | boolean): number {
  const v = typeof value === 'number' ? value : value ? 1 : 0;
  switch (f.code) {
    case FieldCode.fixed:
      return roundInt32(v / f.unit);
    case FieldCode.angle: {
      const q = Math.round((v / f.unit) * f.steps) % f.steps;
      if (Number.isNaN(q)) return 0; // NaN, ±Infinity
      return (q < 0 ? q + f.steps : q) >>> 0;
    }
    case FieldCode.int:
      return roundInt32(v);
    case FieldCode.uint:
    case FieldCode.ref:
      return roundUint(v, f.max);
    case FieldCode.bits: {
      const n = Math.trunc(v);
      return Number.isFinite(n) ? (n & f.max) >>> 0 : 0;
    }
    case FieldCode.bool:
      return v !== 0 && !Number.isNaN(v) ? 1 : 0;
  }
}

/** The game value of a quantized one: a multiple of the field's precision, or a boolean. */
export function dequantizeValue(f: CompiledField, q: number): number | boolean {
  switch (f.code) {
    case FieldCode.fixed:
      return q * f.unit;
    case FieldCode.angle:
      return (q / f.steps) * f.unit;
    case FieldCode.bool:
      return q === 1;
    default:
      return q;
  }
}

/** Compiles a checked spec. */
export function compileField(name: string, spec: FieldSpec): CompiledField {
  const base = { name, spec, steps: 0, unit: 1 };
  switch (spec.type) {
    case 'fixed':
      return { ...base, code: FieldCode.fixed, signed: true, delta: DeltaOp.addSigned, max: 0, unit: spec.step };
    case 'angle':
      return {
        ...base,
        code: FieldCode.angle,
        signed: false,
        delta: DeltaOp.angle,
        max: spec.steps - 1,
        steps: spec.steps,
        unit: TURN[spec.unit],
      };
    case 'int':
      return { ...base, code: FieldCode.int, signed: true, delta: DeltaOp.addSigned, max: 0 };
    case 'uint':
      return { ...base, code: FieldCode.uint, signed: false, delta: DeltaOp.addUnsigned, max: spec.max };
    case 'ref':
      return { ...base, code: FieldCode.ref, signed: false, delta: DeltaOp.addUnsigned, max: UINT32_MAX };
    case 'bits': {
      const max = spec.count === 32 ? UINT32_MAX : 2 ** spec.count - 1;
      return { ...base, code: FieldCode.bits, signed: false, delta: DeltaOp.xor, max };
    }
    case 'bool':
      return { ...base, code: FieldCode.bool, signed: false, delta: DeltaOp.xor, max: 1 };
    default:
      throw new Error(unknownType(spec));
  }
}
