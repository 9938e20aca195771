// Source that QuickJS runs (inside its own interpreter, never the browser's) before the untrusted code: the tagged
// encoder and decoder of js-values.ts on the VM side, and a `console` whose methods send their arguments to the host.
// It returns its functions instead of putting them on the global, and captures the built-ins it uses first, so the
// untrusted code cannot reach or replace them. A CommonJS `module.exports` is provided because answers often end so.
export const VM_PRELUDE = String.raw`(function () {
  const isArray = Array.isArray, keys = Object.keys, getProto = Object.getPrototypeOf, objectProto = Object.prototype;
  const stringify = JSON.stringify, parse = JSON.parse, isNaNValue = Number.isNaN, toText = String, BigIntOf = BigInt;
  const MAX_NODES = ${10_000};
  function encode(value) {
    let nodes = 0;
    const seen = [];
    function walk(item) {
      nodes += 1;
      if (nodes > MAX_NODES) return { $: 'unsupported', v: 'too large' };
      if (item === undefined) return { $: 'undefined' };
      const kind = typeof item;
      if (item === null || kind === 'boolean' || kind === 'string') return item;
      if (kind === 'number') {
        if (isNaNValue(item)) return { $: 'NaN' };
        if (item === Infinity) return { $: 'Infinity' };
        if (item === -Infinity) return { $: '-Infinity' };
        if (item === 0 && 1 / item < 0) return { $: '-0' };
        return item;
      }
      if (kind === 'bigint') return { $: 'bigint', v: toText(item) };
      if (kind !== 'object') return { $: 'unsupported', v: kind };
      if (seen.indexOf(item) !== -1) return { $: 'unsupported', v: 'circular' };
      seen.push(item);
      try {
        if (isArray(item)) {
          const out = [];
          for (let index = 0; index < item.length; index += 1) out.push(walk(item[index]));
          return out;
        }
        const proto = getProto(item);
        if (proto !== objectProto && proto !== null) {
          const name = item.constructor && typeof item.constructor.name === 'string' ? item.constructor.name : 'object';
          return { $: 'unsupported', v: name || 'object' };
        }
        const out = {};
        for (const key of keys(item)) out[key] = walk(item[key]);
        return { $: 'object', v: out };
      } finally {
        seen.pop();
      }
    }
    return stringify(walk(value));
  }
  function decode(json) {
    function walk(node) {
      if (node === null || typeof node !== 'object') return node;
      if (isArray(node)) return node.map(walk);
      switch (node.$) {
        case 'undefined': return undefined;
        case 'NaN': return NaN;
        case 'Infinity': return Infinity;
        case '-Infinity': return -Infinity;
        case '-0': return -0;
        case 'bigint': return BigIntOf(node.v);
        case 'object': {
          const out = {};
          for (const key of keys(node.v)) out[key] = walk(node.v[key]);
          return out;
        }
        default: return undefined;
      }
    }
    return walk(parse(json));
  }
  function installConsole(sink) {
    const method = (level) => (...args) => { sink(level, encode(args)); };
    globalThis.console = { log: method('log'), info: method('info'), debug: method('debug'), warn: method('warn'), error: method('error') };
    globalThis.module = { exports: {} };
    globalThis.exports = globalThis.module.exports;
  }
  return { encode, decode, installConsole };
})()`;
