// One worker's agent, as the fanout sees it: its output goes in as text chunks; agent_event
// frames, the --on-input decisions and its totals come out. The fanout supplies the outside
// world (emit a frame, type into the terminal, fail the worker), so this is testable alone and
// on a real terminal. Composition, in order, per chunk:
//   1. parse: complete lines become normalised events (createEventParser);
//   2. count: each event is added to the worker's totals;
//   3. report: each becomes an agent_event frame (awaiting_input ones carry the action taken);
//   4. act: an awaiting_input event, or an idle worker at a prompt, goes through --on-input;
//   5. judge: the agent's own verdict (Verdict) and whether relay recognised any of its output.
import type { AgentTotals } from '../frames/agent.js';
import type { FrameBody } from '../frames/types.js';
import { agentEventBody, createEventParser, type AgentEventParser, type AgentEventSource } from './events/parser.js';
import { addEvent, emptyTotals, recognised } from './events/totals.js';
import { Verdict } from './events/verdict.js';
import type { EventFormat, NormalisedEvent } from './events/types.js';
import { decideOnInput, DEFAULT_ON_INPUT, type InputAction, type InputSignal, type OnInputPolicy } from './on-input.js';

export interface AgentSessionOptions {
  /** The worker and task attempt its frames name. */
  source: AgentEventSource;
  events: EventFormat;
  onInput?: OnInputPolicy;
  /** Queues a frame (the run's emit). */
  emit(body: FrameBody): void;
  /** Types into the worker's terminal (policy answer). */
  write(data: string): void;
  /** Stops the worker and counts its task as failed (policy fail). */
  fail(reason: string): void;
  /** True while a person has its keyboard (relay attach): questions are reported, not acted on. */
  held?(): boolean;
}

/** How much of the screen an inferred awaiting_input event carries. */
const TAIL_IN_EVENT = 200;

export class AgentSession {
  private readonly parser: AgentEventParser;
  private readonly policy: OnInputPolicy;
  private readonly state = { answered: 0 };
  readonly totals: AgentTotals = emptyTotals();
  /** Text of the last result event (the agent's answer), for the results folder. */
  resultText: string | undefined;
  /** The last limit the agent said it hit (a rate_limit event above info), with its reset time when it gave one. */
  limit: { resetsAt?: string } | undefined;
  /** Set once the policy failed the worker; later questions are not acted on again. */
  failedBecause: string | undefined;
  private readonly verdict = new Verdict();
  private ended = false;

  constructor(private readonly o: AgentSessionOptions) {
    this.parser = createEventParser(o.events);
    this.policy = o.onInput ?? DEFAULT_ON_INPUT;
  }

  /** A chunk of the worker's terminal output, after its worker_stream frame was emitted. */
  onText(text: string): void {
    if (!this.ended) for (const e of this.parser.push(text)) this.handle(e);
  }

  /** The worker's output ended: a last line without newline still counts. Before worker_exited. */
  end(): void {
    if (this.ended) return;
    for (const e of this.parser.end()) this.handle(e);
    this.ended = true;
  }

  /** The worker printed nothing for --idle-timeout; `tail` is the end of its screen. */
  onIdle(tail: string): InputAction {
    const signal: InputSignal = { source: 'inferred', screenTail: tail };
    const decision = this.decide(signal);
    if (decision.action === 'none') return decision;
    const event: NormalisedEvent = { kind: 'awaiting_input', raw: { screen_tail: tail.slice(-TAIL_IN_EVENT) } };
    this.report(event, { inferred: true, action: decision.action });
    this.act(decision);
    return decision;
  }

  /** Why the agent says its attempt failed, in its own words; undefined when it does not. */
  get agentFailure(): string | undefined {
    return this.verdict.failure;
  }

  /**
   * Marks the totals when the agent printed nothing relay recognised: its format is not the one
   * relay expects (another CLI version?). Only for an agent with a format that ended by itself.
   */
  checkRecognised(): void {
    if (this.o.events !== 'none' && recognised(this.totals) === 0) this.totals.unrecognised = 1;
  }

  private handle(event: NormalisedEvent): void {
    this.verdict.add(event);
    if (event.kind === 'rate_limit' && event.severity !== 'info' && event.subagent === undefined) this.limit = event.resets_at ? { resetsAt: event.resets_at } : {};
    if (event.kind === 'result' && event.text !== undefined && event.subagent === undefined) this.resultText = event.text;
    if (event.kind !== 'awaiting_input') return this.report(event, {});
    const decision = this.decide({ source: 'reported', ...(event.text ? { question: event.text } : {}) });
    const action = decision.action === 'none' ? undefined : decision.action;
    this.report(event, action ? { action } : {});
    this.act(decision);
  }

  private decide(signal: InputSignal): InputAction {
    // A person driving the worker answers it; relay's policy holds off.
    if (this.o.held?.()) return { action: 'none' };
    return this.failedBecause ? { action: 'none' } : decideOnInput(this.policy, signal, this.state);
  }

  private report(event: NormalisedEvent, extra: { inferred?: boolean; action?: 'fail' | 'answer' | 'wait' }): void {
    addEvent(this.totals, event);
    this.o.emit({ ...agentEventBody(this.o.source, event), ...extra });
  }

  private act(decision: InputAction): void {
    if (decision.action === 'answer') {
      this.state.answered += 1;
      this.o.write(decision.input);
    } else if (decision.action === 'fail') {
      this.failedBecause = decision.reason;
      this.o.fail(decision.reason);
    }
  }
}
