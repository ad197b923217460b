// The simulator's notion of "now": real time, optionally started elsewhere and/or running faster.
// It decides late-arrival visibility, STS expiry, token expiry and PutLogEvents age rules.

export interface SimClock {
  now(): number;
  set(ms: number): void;
  advance(ms: number): void;
  readonly speed: number;
  setSpeed(speed: number): void;
}

export function createClock(options: { start?: number; speed?: number } = {}, wall: () => number = Date.now): SimClock {
  let speed = options.speed ?? 1;
  let base = options.start ?? wall();
  let wallBase = wall();
  const now = (): number => Math.floor(base + (wall() - wallBase) * speed);
  const rebase = (ms: number): void => {
    base = ms;
    wallBase = wall();
  };
  return {
    now,
    set: rebase,
    advance: (ms) => rebase(now() + ms),
    get speed() {
      return speed;
    },
    setSpeed(s) {
      rebase(now());
      speed = s;
    },
  };
}
