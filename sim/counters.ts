// What the simulator was asked and what it served, readable at GET /_sim/counters.

export interface CountersSnapshot {
  readonly requests: Record<string, number>;
  /** Requests naming a log group (logGroupName or logGroupIdentifier), per name as sent. */
  readonly requestsByGroup: Record<string, number>;
  readonly throttles: Record<string, number>;
  readonly errors: Record<string, number>;
  readonly faults: {
    throttle: number;
    http500: number;
    http503: number;
    reset: number;
    stall: number;
    errorBody: number;
    emptyBody: number;
    truncatedBody: number;
    garbageTail: number;
    htmlBody: number;
    bodyStall: number;
    bodyReset: number;
  };
  readonly expiredCredentials: number;
  readonly bytesServed: number;
  readonly eventsServed: number;
}

export type FaultKind = keyof CountersSnapshot["faults"];

export class Counters {
  private state = Counters.empty();

  private static empty(): CountersSnapshot {
    return {
      requests: {},
      requestsByGroup: {},
      throttles: {},
      errors: {},
      faults: {
        throttle: 0,
        http500: 0,
        http503: 0,
        reset: 0,
        stall: 0,
        errorBody: 0,
        emptyBody: 0,
        truncatedBody: 0,
        garbageTail: 0,
        htmlBody: 0,
        bodyStall: 0,
        bodyReset: 0,
      },
      expiredCredentials: 0,
      bytesServed: 0,
      eventsServed: 0,
    };
  }
  private bump(map: Record<string, number>, key: string): void {
    map[key] = (map[key] ?? 0) + 1;
  }
  request(api: string): void {
    this.bump(this.state.requests, api);
  }
  groupRequest(group: string): void {
    this.bump(this.state.requestsByGroup, group);
  }
  throttle(api: string): void {
    this.bump(this.state.throttles, api);
  }
  error(type: string): void {
    this.bump(this.state.errors, type);
  }
  fault(kind: FaultKind): void {
    this.state.faults[kind] += 1;
  }
  expired(): void {
    this.state = { ...this.state, expiredCredentials: this.state.expiredCredentials + 1 };
  }
  served(bytes: number, events: number): void {
    this.state = {
      ...this.state,
      bytesServed: this.state.bytesServed + bytes,
      eventsServed: this.state.eventsServed + events,
    };
  }
  snapshot(): CountersSnapshot {
    return structuredClone(this.state);
  }
  reset(): void {
    this.state = Counters.empty();
  }
}
