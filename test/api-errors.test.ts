/**
 * reference/api-errors.ts: API errors classified as apimachinery's IsNotFound/IsConflict/…,
 * retry.RetryOnConflict and utilerrors.NewAggregate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiException } from '@kubernetes/client-node';
import {
  Aggregate,
  DefaultBackoff,
  DefaultRetry,
  apiStatus,
  errorMessage,
  isAlreadyExists,
  isConflict,
  isInvalid,
  isNotFound,
  newAggregate,
  retryOnConflict,
  statusCode,
} from '../reference/api-errors.ts';

const status = (code: number, reason: string, message = `${reason} happened`) =>
  new ApiException(code, reason, JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message }), {});

describe('API errors (apimachinery pkg/api/errors)', () => {
  it('AlreadyExists and Conflict are both 409 but never the same thing', () => {
    const exists = status(409, 'AlreadyExists');
    const conflict = status(409, 'Conflict');
    assert.ok(isAlreadyExists(exists) && !isConflict(exists));
    assert.ok(isConflict(conflict) && !isAlreadyExists(conflict));
  });

  it('a code without a known reason is judged by the code; a known reason wins over the code', () => {
    assert.ok(isConflict(new ApiException(409, 'x', 'not json', {})));
    assert.ok(isNotFound(new ApiException(404, 'x', { reason: 'SomethingNew' }, {})));
    assert.ok(isInvalid(new ApiException(422, 'x', '', {})));
    assert.ok(!isNotFound(status(404, 'Gone')), 'a known reason other than NotFound');
    assert.ok(!isAlreadyExists(new ApiException(409, 'x', '', {})), 'AlreadyExists needs its reason');
  });

  it('statusCode and the Status of client-node errors, plain errors carrying a code, and transport errors', () => {
    assert.equal(statusCode(status(404, 'NotFound')), 404);
    assert.equal(apiStatus(status(404, 'NotFound'))?.reason, 'NotFound');
    assert.equal(statusCode(Object.assign(new Error('x'), { statusCode: 409 })), 409);
    assert.ok(isConflict(Object.assign(new Error('x'), { code: 409 })));
    const transport = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    assert.equal(statusCode(transport), undefined);
    assert.equal(apiStatus(transport), undefined);
    assert.ok(!isNotFound(transport) && !isConflict(transport));
  });

  it('errorMessage is what Go prints: the Status message, else the first line', () => {
    assert.equal(errorMessage(status(404, 'NotFound', 'pods "web-0" not found')), 'pods "web-0" not found');
    assert.equal(errorMessage(new Error('first\nsecond')), 'first');
    assert.equal(errorMessage('plain'), 'plain');
  });
});

describe('retry.RetryOnConflict', () => {
  it('retries Conflicts up to the backoff steps, then throws the last one', async () => {
    let calls = 0;
    await assert.rejects(
      retryOnConflict(DefaultBackoff, async () => {
        calls++;
        throw status(409, 'Conflict');
      }),
      (err) => isConflict(err),
    );
    assert.equal(calls, 4);
    calls = 0;
    assert.equal(await retryOnConflict(DefaultRetry, async () => (++calls < 5 ? Promise.reject(status(409, 'Conflict')) : 'done')), 'done');
    assert.equal(calls, 5);
  });

  it('does not retry other errors, AlreadyExists included', async () => {
    let calls = 0;
    await assert.rejects(
      retryOnConflict(DefaultRetry, async () => {
        calls++;
        throw status(409, 'AlreadyExists');
      }),
      (err) => isAlreadyExists(err),
    );
    assert.equal(calls, 1);
  });
});

describe('utilerrors.NewAggregate', () => {
  it('nothing for no errors, the error itself for one, an Aggregate for several', () => {
    assert.equal(newAggregate([]), undefined);
    assert.equal(newAggregate([undefined, null]), undefined);
    const one = status(404, 'NotFound');
    assert.equal(newAggregate([undefined, one]), one);
    const agg = newAggregate([new Error('a'), status(409, 'Conflict', 'b'), new Error('a')]);
    assert.ok(agg instanceof Aggregate);
    assert.equal(agg.errors.length, 3);
    assert.equal(agg.message, '[a, b]', 'distinct messages, bracketed');
    assert.ok(!(agg instanceof globalThis.AggregateError), 'not the built-in');
  });
});
