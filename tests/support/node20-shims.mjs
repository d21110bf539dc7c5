// Vitest 5 declares Node ^22.12 but Sitebox supports Node 20.19+. Its main process uses three
// ES2024 built-ins Node 20 lacks; without Map.groupBy the reporter crashes while printing failed
// tests and the run exits 0 with no report. Remove once Node 20 support is dropped.
// Loaded by vitest.config.ts, i.e. in vitest's main process, before any reporter runs.

if (typeof Map.groupBy !== 'function') {
  Map.groupBy = function groupBy(items, keyOf) {
    const groups = new Map();
    let index = 0;
    for (const item of items) {
      const key = keyOf(item, index++);
      const group = groups.get(key);
      if (group) group.push(item);
      else groups.set(key, [item]);
    }
    return groups;
  };
}

if (typeof Object.groupBy !== 'function') {
  Object.groupBy = function groupBy(items, keyOf) {
    return Object.assign(Object.create(null), Object.fromEntries(Map.groupBy(items, keyOf)));
  };
}

if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
