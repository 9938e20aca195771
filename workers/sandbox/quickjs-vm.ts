// One QuickJS runtime and context for one sandbox run: limits set before any untrusted code runs (an interrupt
// handler at the run's deadline, a malloc limit, a stack limit), the prelude installed, then the code evaluated and
// its function called. Every way a call can end is an `Outcome`; once the interpreter itself failed (`broken`, e.g.
// the browser's own stack ran out inside the wasm) nothing more runs in it.
// The context has only the language's built-ins plus the prelude's `console` and `module`: no fetch, XHR, WebSocket,
// importScripts, storage, DOM or timers exist in it, and `import()` fails because no module loader is set.
import {
  shouldInterruptAfterDeadline,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from 'quickjs-emscripten-core';
import type { SandboxLimits } from '../../common/sandbox-protocol';
import { decodeValue, encodeValue } from './js-values';
import type { LogCapture } from './log-capture';
import { VM_PRELUDE } from './vm-prelude';

/**
 * QuickJS's own stack check. Enough for a recursion 1,000 deep; in a Chromium worker the browser's native stack can
 * run out first on runaway recursion, which ends the run `error` ("ran out of stack") instead of failing one test.
 */
export const STACK_BYTES = 256 * 1024;

export type Outcome =
  | { kind: 'value'; value: unknown }
  | { kind: 'threw'; message: string }
  | { kind: 'timeout' }
  | { kind: 'memory'; message: string }
  | { kind: 'broken'; message: string };

type Step = { ok: true; handle: QuickJSHandle } | { ok: false; outcome: Outcome };

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function hostFailure(error: unknown): Outcome {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const stack = /call stack|stack overflow/i.test(text);
  return { kind: 'broken', message: stack ? 'the interpreter ran out of stack (recursion too deep)' : `the interpreter failed (${text})` };
}

export class SandboxVm {
  readonly #runtime: QuickJSRuntime;
  readonly #context: QuickJSContext;
  readonly #encode: QuickJSHandle;
  readonly #decode: QuickJSHandle;
  #namespace: QuickJSHandle | undefined;
  #broken = false;

  constructor(quickjs: QuickJSWASMModule, limits: SandboxLimits, logs: LogCapture) {
    this.#runtime = quickjs.newRuntime({
      interruptHandler: shouldInterruptAfterDeadline(Date.now() + limits.timeoutMs),
      memoryLimitBytes: limits.memoryBytes,
      maxStackSizeBytes: STACK_BYTES,
    });
    const context = this.#runtime.newContext();
    this.#context = context;
    const prelude = context.unwrapResult(context.evalCode(VM_PRELUDE, 'sandbox-prelude.js'));
    this.#encode = context.getProp(prelude, 'encode');
    this.#decode = context.getProp(prelude, 'decode');
    const install = context.getProp(prelude, 'installConsole');
    const sink = context.newFunction('sink', (level, args) => {
      try {
        const decoded = decodeValue(context.getString(args));
        logs.add(context.getString(level), Array.isArray(decoded) ? decoded : [decoded]);
      } catch {
        logs.add('error', ['(a console call the sandbox could not read)']);
      }
    });
    context.unwrapResult(context.callFunction(install, context.undefined, sink)).dispose();
    for (const handle of [sink, install, prelude]) handle.dispose();
  }

  /** Runs `code` as a script and returns its last expression's value (awaited if it is a promise). */
  evaluate(code: string): Outcome {
    return this.#guard(() => this.#valueOf(this.#settle(this.#eval(code, 'global'))));
  }

  /** Runs `code` so that its function can be called: as a script, or as a module when it uses `export`. */
  load(code: string): Outcome {
    return this.#guard(() => {
      let step = this.#eval(code, 'global');
      if (!step.ok && step.outcome.kind === 'threw' && step.outcome.message.startsWith('SyntaxError') && /\bexport\b/.test(code)) {
        step = this.#settle(this.#eval(code, 'module'));
        if (step.ok) this.#namespace = step.handle;
        return step.ok ? { kind: 'value', value: undefined } : step.outcome;
      }
      if (!step.ok) return step.outcome;
      step.handle.dispose();
      return { kind: 'value', value: undefined };
    });
  }

  /** Calls the function the loaded code defined under `name` with `args`; its result is awaited if a promise. */
  call(name: string, args: readonly unknown[]): Outcome {
    if (!IDENTIFIER.test(name)) return { kind: 'threw', message: `"${name}" is not a function name` };
    return this.#guard(() => {
      const context = this.#context;
      const found = this.#lookup(name);
      if (!found.ok) return found.outcome;
      const type = context.typeof(found.handle);
      if (type !== 'function') {
        found.handle.dispose();
        return { kind: 'threw', message: type === 'undefined' ? `${name} is not defined` : `${name} is not a function (it is ${type})` };
      }
      const json = context.newString(encodeValue([...args]));
      const list = this.#step(context.callFunction(this.#decode, context.undefined, json));
      json.dispose();
      if (!list.ok) return list.outcome;
      const argHandles = args.map((_, index) => context.getProp(list.handle, index));
      const result = this.#step(context.callFunction(found.handle, context.undefined, ...argHandles));
      for (const handle of [...argHandles, list.handle, found.handle]) handle.dispose();
      return this.#valueOf(this.#settle(result));
    });
  }

  dispose(): void {
    if (this.#broken) return; // A failed interpreter's state cannot be trusted to free; the worker ends anyway.
    try {
      for (const handle of [this.#encode, this.#decode, this.#namespace]) handle?.dispose();
      this.#context.dispose();
      this.#runtime.dispose();
    } catch {
      // Freeing after an out-of-memory can fail; the worker is terminated after the run in any case.
    }
  }

  #guard(run: () => Outcome): Outcome {
    if (this.#broken) return { kind: 'broken', message: 'the interpreter failed earlier in this run' };
    try {
      return run();
    } catch (error) {
      this.#broken = true;
      return hostFailure(error);
    }
  }

  #eval(code: string, type: 'global' | 'module'): Step {
    return this.#step(this.#context.evalCode(code, 'answer.js', { type }));
  }

  #lookup(name: string): Step {
    const context = this.#context;
    if (this.#namespace) return { ok: true, handle: context.getProp(this.#namespace, name) };
    // An identifier reaches function declarations and top-level const/let alike; then CommonJS exports.
    const source = `typeof ${name} !== 'undefined' ? ${name} : (module && module.exports && typeof module.exports === 'object' && ${JSON.stringify(name)} in module.exports ? module.exports[${JSON.stringify(name)}] : (typeof module.exports === 'function' ? module.exports : undefined))`;
    return this.#step(context.evalCode(source, 'sandbox-lookup.js'));
  }

  #step(result: { value: QuickJSHandle; error?: undefined } | { error: QuickJSHandle; value?: undefined }): Step {
    if (result.error !== undefined) return { ok: false, outcome: this.#thrown(result.error) };
    return { ok: true, handle: result.value };
  }

  /** What a thrown value means: the deadline, the memory limit, or the code's own error. */
  #thrown(error: QuickJSHandle): Outcome {
    let name = '';
    let message = '';
    try {
      const dumped: unknown = this.#context.dump(error);
      if (typeof dumped === 'object' && dumped !== null) {
        name = String(Reflect.get(dumped, 'name') ?? '');
        message = String(Reflect.get(dumped, 'message') ?? '');
      } else {
        message = String(dumped);
      }
    } catch {
      message = 'an exception the sandbox could not read';
    } finally {
      error.dispose();
    }
    if (name === 'InternalError' && message === 'interrupted') return { kind: 'timeout' };
    if (message === 'out of memory') return { kind: 'memory', message: 'out of memory: the code used more than the sandbox allows' };
    return { kind: 'threw', message: name ? `${name}: ${message}` : `threw ${message}` };
  }

  /** Runs queued promise jobs until `step`'s promise settles; a value that is not a promise passes through. */
  #settle(step: Step): Step {
    if (!step.ok) return step;
    const context = this.#context;
    for (;;) {
      const state = context.getPromiseState(step.handle);
      if (state.type === 'fulfilled') {
        if (state.notAPromise) return step;
        step.handle.dispose();
        return { ok: true, handle: state.value };
      }
      if (state.type === 'rejected') {
        step.handle.dispose();
        return { ok: false, outcome: this.#thrown(state.error) };
      }
      const jobs = this.#runtime.executePendingJobs();
      if (jobs.error !== undefined) {
        step.handle.dispose();
        return { ok: false, outcome: this.#thrown(jobs.error) };
      }
      if (jobs.value === 0) {
        step.handle.dispose();
        return { ok: false, outcome: { kind: 'threw', message: 'the promise never settled (the sandbox has no timers, network or events)' } };
      }
    }
  }

  #valueOf(step: Step): Outcome {
    if (!step.ok) return step.outcome;
    const context = this.#context;
    const encoded = this.#step(context.callFunction(this.#encode, context.undefined, step.handle));
    step.handle.dispose();
    if (!encoded.ok) return encoded.outcome;
    const json = context.getString(encoded.handle);
    encoded.handle.dispose();
    return { kind: 'value', value: decodeValue(json) };
  }
}
