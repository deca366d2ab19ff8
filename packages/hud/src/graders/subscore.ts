// SubScore: one weighted, named component of a grade, possibly made of children (python-sdk §7, wire form §9 case 11).

export type SubScoreInfo = { [key: string]: unknown };

export interface SubScoreInit {
  name: string;
  /** In [0, 1]. */
  value: number;
  /** Default 1; a negative weight is a penalty when combined. */
  weight?: number;
  children?: readonly SubScore[];
  info?: SubScoreInfo;
}

/** The wire shape of a subscore inside a grade frame. */
export interface SubScoreJson {
  name: string;
  weight: number;
  value: number;
  children: SubScoreJson[] | null;
  info?: SubScoreInfo;
}

export class SubScore {
  readonly name: string;
  readonly weight: number;
  readonly value: number;
  readonly children: readonly SubScore[] | undefined;
  readonly info: SubScoreInfo | undefined;

  constructor(init: SubScoreInit) {
    if (typeof init.name !== "string") throw new TypeError("SubScore.name must be a string");
    if (typeof init.value !== "number" || !(init.value >= 0 && init.value <= 1)) {
      throw new RangeError(
        `SubScore '${init.name}': value must be a number between 0 and 1 (got ${String(init.value)})`,
      );
    }
    const weight = init.weight ?? 1;
    if (typeof weight !== "number" || !Number.isFinite(weight)) {
      throw new RangeError(`SubScore '${init.name}': weight must be a finite number (got ${String(weight)})`);
    }
    if (init.children !== undefined && !init.children.every((child) => child instanceof SubScore)) {
      throw new TypeError(`SubScore '${init.name}': children must be SubScores`);
    }
    this.name = init.name;
    this.value = init.value;
    this.weight = weight;
    this.children = init.children === undefined ? undefined : [...init.children];
    this.info = init.info;
  }

  /** A copy with some fields replaced. */
  with(changes: Partial<SubScoreInit>): SubScore {
    return new SubScore({
      name: this.name,
      value: this.value,
      weight: this.weight,
      children: this.children,
      info: this.info,
      ...changes,
    });
  }

  toJSON(): SubScoreJson {
    const json: SubScoreJson = {
      name: this.name,
      weight: this.weight,
      value: this.value,
      children: this.children === undefined ? null : this.children.map((child) => child.toJSON()),
    };
    if (this.info !== undefined) json.info = this.info;
    return json;
  }
}
