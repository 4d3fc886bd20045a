/** Predicate builtins with `{ ... # ... }` closures, bare predicates and `.field` shorthand. */
import { describe, it } from 'vitest';
import { expectError, expectValue, type ErrRow, type Row } from './table.js';

const pods = [{ name: 'a', ready: true, cpu: 0.5 }, { name: 'b', ready: false, cpu: 0.9 }, { name: 'c', ready: true, cpu: 0.2 }];

describe('closure builtins', () => {
  it.each<Row>([
    ['all(result, {# > 0.9})', [0.95, 0.99], true],
    ['all(result, {# > 0.9})', [0.95, 0.5], false],
    ['all(result, # < 1000)', [1, 2], true], // bare predicate
    ['all(result, # < 1000)', [], true],
    ['any(result, # > 1)', [0, 2], true],
    ['any(result, # > 1)', [], false],
    ['none(result, # > 5)', [1, 2], true],
    ['none(result, # > 1)', [1, 2], false],
    ['one(result, # > 2)', [1, 2, 3], true],
    ['one(result, # > 1)', [1, 2, 3], false],
    ['count(result, # > 1) == 2', [1, 2, 3], true],
    ['count(result) == 2', [true, false, true], true], // without predicate counts true elements
    ['filter(result, # > 1) == [2, 3]', [1, 2, 3], true],
    ['len(filter(result, # > 5)) == 0', [1, 2, 3], true],
    ['map(result, # * 2) == [2, 4, 6]', [1, 2, 3], true],
    ['map(result, #index) == [0, 1, 2]', [5, 6, 7], true],
    ['find(result, # > 1) == 2', [1, 2, 3], true],
    ['find(result, # > 9) == nil', [1, 2, 3], true],
    ['findIndex(result, # > 1) == 1', [1, 2, 3], true],
    ['findIndex(result, # > 9) == -1', [1, 2, 3], true],
    ['findLast(result, # > 1) == 3', [1, 2, 3], true],
    ['findLastIndex(result, # < 3) == 1', [1, 2, 3], true],
    ['reduce(result, #acc + #, 0) == 6', [1, 2, 3], true],
    ['reduce(result, #acc + #) == 6', [1, 2, 3], true],
    ['reduce(result, #acc + #index, 0) == 3', [9, 9, 9], true],
    ['sortBy(result, #)[0] == 1', [3, 1, 2], true],
    ['sortBy(result, #, "desc")[0] == 3', [3, 1, 2], true],
    ['groupBy(result, # > 1)[true] == [2, 3]', [1, 2, 3], true],
    ['sum(result, #) == 6', [1, 2, 3], true],
  ])('%s (result=%j) -> %s', expectValue);
});

describe('.field means #.field inside a closure', () => {
  it.each<Row>([
    ['all(result, {.ready})', pods.filter((p) => p.ready), true],
    ['all(result, .ready)', pods, false],
    ['count(result, .ready) == 2', pods, true],
    ['filter(result, .cpu > 0.4)[0].name == "a"', pods, true],
    ['map(result, .name) == ["a", "b", "c"]', pods, true],
    ['any(result, #.name == "b" && !#.ready)', pods, true],
    ['sortBy(result, .cpu)[0].name == "c"', pods, true],
    ['all(result.x.values, {asFloat(.value) >= 9900})', { x: { values: [{ value: '9900' }, { value: '9950.5' }] } }, true],
    ['all(result.x.values, {asFloat(.value) >= 9900})', { x: { values: [{ value: '9900' }, { value: '1' }] } }, false],
  ])('%s -> %s', expectValue);
});

describe('nested closures bind # to the innermost element', () => {
  it.each<Row>([
    ['all(result, {all(#.v, {# > 1})})', [{ v: [2, 3] }, { v: [4] }], true],
    ['all(result, {all(#.v, {# > 1})})', [{ v: [2, 3] }, { v: [1] }], false],
    ['any(result, {any(.v, # > 3)})', [{ v: [2, 3] }, { v: [4] }], true],
    ['count(result, {len(filter(.v, # > 1)) > 0}) == 1', [{ v: [2] }, { v: [1] }], true],
    ['map(result, {sum(#)}) == [3, 4]', [[1, 2], [4]], true],
    ['all(result, {all(#, {# > 0})})', [[1, 2], [3]], true],
    ['result | all(# > 0)', [1, 2], true], // pipe: the collection is the piped value
    ['result | filter({# > 1}) | len() == 2', [1, 2, 3], true],
  ])('%s -> %s', expectValue);
});

describe('closure errors', () => {
  it.each<ErrRow>([
    ['# > 1', 1, 'cannot use pointer accessor outside predicate'],
    ['.a > 1', 1, 'cannot use pointer accessor outside predicate'],
    ['all(result)', [1], 'expected at least 2 arguments'],
    ['all(result, # > 1, 2)', [1], 'unexpected token Operator(",")'],
    ['all(1, # > 1)', null, 'builtin all takes only array (got int)'],
    ['all(result, #)', [1], 'predicate should return boolean (got float64)'],
    ['all(result, #.a)', [{ a: 1 }], 'interface conversion: interface {} is float64, not bool'],
    ['all(result, #index >= 0)', [1], 'unknown pointer #index'],
    ['all(result.x, # > 1)', { x: 5 }, 'reflect: call of reflect.Value.Len on float64 Value'],
    ['all(result.x, # > 1)', {}, 'reflect: call of reflect.Value.Len on zero Value'],
    ['all(result.x, # > 1)', { x: { a: 1 } }, 'reflect: call of reflect.Value.Index on map Value'],
    ['all(result, # > 1)', 5, 'builtin all takes only array (got float64)'],
    ['reduce([], #acc)', null, 'reduce of empty array with no initial value'],
    ['sortBy(result, #, "up") == []', [1], 'unknown order up, use asc or desc'],
  ])('%s (result=%j) -> error %s', expectError);
});
