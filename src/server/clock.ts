/**
 * Time as the application sees it. Production uses the system clock; tests and the
 * simulated media stack use a controllable one, so nothing ever has to sleep.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that runs at `speed` times real time from `start`, and can be jumped forward. */
export class ManualClock implements Clock {
  private base: number;
  private realBase: number;
  constructor(
    start = Date.now(),
    private speed = 0,
  ) {
    this.base = start;
    this.realBase = Date.now();
  }
  now(): number {
    return Math.floor(this.base + (Date.now() - this.realBase) * this.speed);
  }
  advance(ms: number): void {
    this.base += ms;
  }
  set(ms: number): void {
    this.base = ms;
    this.realBase = Date.now();
  }
  setSpeed(speed: number): void {
    this.base = this.now();
    this.realBase = Date.now();
    this.speed = speed;
  }
}
