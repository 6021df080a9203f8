import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tool } from 'ollama';
import { toolDefinition, validateArguments } from '../../src/tools/arguments.ts';
import { buildToolUrl, checkUrlTemplate } from '../../src/tools/http-tool.ts';
import type { HttpToolSpec, ToolParam } from '../../src/tools/types.ts';

const params: ToolParam[] = [
  { name: 'order_id', type: 'string', description: 'The order number', required: true, minLength: 4, maxLength: 10, pattern: '[0-9]+' },
  { name: 'size', type: 'string', description: 'Size', required: false, values: ['Small', 'Large'] },
  { name: 'count', type: 'integer', description: 'How many', required: false, minimum: 1, maximum: 5 },
  { name: 'weight', type: 'number', description: 'Kilograms', required: false, minimum: 0.5 },
  { name: 'gift', type: 'boolean', description: 'Wrap as a gift', required: false },
];
const spec: HttpToolSpec = {
  name: 'place_order', description: 'Places an order', params, method: 'GET', urlTemplate: 'http://127.0.0.1:9/orders/{order_id}',
  headers: [], timeoutMs: 1000, waitText: '', waitAfterMs: 0, maxResponseBytes: 100,
};

function values(args: unknown) {
  const checked = validateArguments(spec, args);
  assert.ok('values' in checked, 'problem' in checked ? checked.problem : '');
  return checked.values;
}
function problem(args: unknown): string {
  const checked = validateArguments(spec, args);
  assert.ok('problem' in checked, `accepted ${JSON.stringify(args)}`);
  return checked.problem;
}

test('values are converted to their declared types', () => {
  assert.deepEqual(values({ order_id: ' 1234 ', size: 'large', count: '3', weight: '2.5', gift: 'No' }),
    { order_id: '1234', size: 'Large', count: 3, weight: 2.5, gift: false });
  assert.deepEqual(values('{"order_id": 98765, "gift": true, "count": 2}'), { order_id: '98765', gift: true, count: 2 });
  assert.deepEqual(values({ order_id: '1234', size: null, count: '' }), { order_id: '1234' }, 'null and blank count as absent');
});

test('each kind of bad argument is one sentence naming it', () => {
  assert.equal(problem(42), 'the arguments must be a JSON object with order_id, size, count, weight, gift');
  assert.equal(problem({ order_id: '1234', colour: 'red' }), "place_order has no argument 'colour' (it accepts order_id, size, count, weight, gift)");
  assert.equal(problem({}), 'missing required argument order_id');
  assert.equal(problem({ order_id: '12' }), 'order_id must be 4 to 10 characters long');
  assert.equal(problem({ order_id: '12ab' }), "order_id: '12ab' does not match the expected format");
  assert.equal(problem({ order_id: ['1234'] }), `order_id must be text, not '["1234"]'`);
  assert.equal(problem({ order_id: '1234', size: 'medium' }), 'size must be one of: Small, Large');
  assert.equal(problem({ order_id: '1234', count: 1.5 }), "count must be a whole number, not '1.5'");
  assert.equal(problem({ order_id: '1234', count: 6 }), 'count must be between 1 and 5');
  assert.equal(problem({ order_id: '1234', weight: 0.1 }), 'weight must be at least 0.5');
  assert.equal(problem({ order_id: '1234', weight: 'heavy' }), "weight must be a number, not 'heavy'");
  assert.equal(problem({ order_id: '1234', gift: 'maybe' }), "gift must be true or false, not 'maybe'");
});

test('strings are capped at 500 characters whatever the spec says', () => {
  const free: HttpToolSpec = { ...spec, params: [{ name: 'note', type: 'string', description: 'A note', required: true, maxLength: 5000 }] };
  assert.ok('values' in validateArguments(free, { note: 'x'.repeat(500) }));
  assert.deepEqual(validateArguments(free, { note: 'x'.repeat(501) }), { problem: 'note must be at most 500 characters long' });
});

test('toolDefinition is Ollama tool JSON with the constraints as JSON schema', () => {
  const tool: Tool = toolDefinition(spec);
  assert.deepEqual(tool, {
    type: 'function',
    function: {
      name: 'place_order', description: 'Places an order',
      parameters: {
        type: 'object', required: ['order_id'],
        properties: {
          order_id: { type: 'string', description: 'The order number', minLength: 4, maxLength: 10, pattern: '[0-9]+' },
          size: { type: 'string', description: 'Size', enum: ['Small', 'Large'], maxLength: 500 },
          count: { type: 'integer', description: 'How many', minimum: 1, maximum: 5 },
          weight: { type: 'number', description: 'Kilograms', minimum: 0.5 },
          gift: { type: 'boolean', description: 'Wrap as a gift' },
        },
      },
    },
  });
});

test('checkUrlTemplate allows placeholders only after the authority, each naming a parameter', () => {
  const names = ['order_id', 'host'];
  assert.equal(checkUrlTemplate('https://crm.example.com:8443/orders/{order_id}?q={order_id}#{order_id}', names), undefined);
  assert.match(checkUrlTemplate('crm.example.com/orders/{order_id}', names) ?? '', /absolute http:\/\/ or https:\/\//);
  assert.match(checkUrlTemplate('ftp://crm.example.com/{order_id}', names) ?? '', /absolute/);
  assert.match(checkUrlTemplate('{host}://crm.example.com/', names) ?? '', /absolute/);
  for (const template of ['http://{host}/x', 'http://crm.example.com:{host}/x', 'http://{host}@crm.example.com/', 'http://crm.{host}.com/']) {
    assert.match(checkUrlTemplate(template, names) ?? '', /only in the path or the query/, template);
  }
  assert.match(checkUrlTemplate('http://crm.example.com/{customer}', names) ?? '', /\{customer\}, which is not a parameter/);
  assert.match(checkUrlTemplate('http://crm.example.com/{order_id', names) ?? '', /unmatched/);
});

test('buildToolUrl encodes values and appends the rest as query for GET', () => {
  const url = buildToolUrl({ ...spec, urlTemplate: 'http://127.0.0.1:9/o/{order_id}?lang=en' }, { order_id: 'a b&c', gift: true, size: 'Large' });
  assert.equal(url.href, 'http://127.0.0.1:9/o/a%20b%26c?lang=en&gift=true&size=Large');
  assert.throws(() => buildToolUrl(spec, { order_id: '.' }), { code: 'TOOL_BAD_ARGUMENTS' });
  assert.equal(buildToolUrl({ ...spec, method: 'POST' }, { order_id: '12', gift: true }).href, 'http://127.0.0.1:9/orders/12');
});
