// Injected into the got bundle (scripts/bundle-got.mjs) in place of three globals got reads on every
// request or at load. Node defines FormData and ReadableStream lazily: the first read of FormData
// loads undici (fetch's implementation, ~25 ms of CPU), and got reads it for every request with a
// body (`body instanceof FormData`); @sindresorhus/is builds two Intl.ListFormat at load (ICU's list
// data, ~10 ms) for error messages. Each stand-in gives the same answers and reads the real global
// only when one can matter: an object tagged as one, a construction, a message formatted.

/** A global class reached only when used: `instanceof` checks the tag before touching it. */
function lazyGlobal(name) {
  const real = () => globalThis[name];
  const isOne = (value) => Object.prototype.toString.call(value) === `[object ${name}]` && value instanceof real();
  return new Proxy(() => {}, {
    get: (_, key) => (key === Symbol.hasInstance ? isOne : Reflect.get(real(), key)),
    construct: (_, args) => Reflect.construct(real(), args),
    apply: (_, self, args) => Reflect.apply(real(), self, args),
  });
}

export const FormData = lazyGlobal('FormData');
export const ReadableStream = lazyGlobal('ReadableStream');

/** `Intl.ListFormat` for got's code (bound by the bundle's `define`), built at its first message. */
export class LazyListFormat {
  #args;
  #format;
  constructor(...args) {
    this.#args = args;
  }
  format(list) {
    this.#format ??= new globalThis.Intl.ListFormat(...this.#args);
    return this.#format.format(list);
  }
}
