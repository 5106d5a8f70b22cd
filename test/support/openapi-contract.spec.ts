import { OpenApiContract, committedDocument, type Recorded } from './openapi-contract.js';

// The contract check must be able to fail: these answers are made up to depart from the
// document in one way each (test/e2e/openapi.e2e-spec.ts runs it on the service's answers).
const document = committedDocument();
const contract = new OpenApiContract(document);

const policy = {
  name: 'mms-example',
  latestRevision: 1,
  selfHeal: false,
  deleting: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  targets: { clusters: ['prod-eu'] },
  contentHash: 'abc',
};
const answer = (body: unknown, over: Partial<Recorded> = {}): Recorded => ({
  method: 'get',
  url: 'http://127.0.0.1/v1/policies/mms-example',
  status: 200,
  contentType: 'application/json; charset=utf-8',
  text: JSON.stringify(body),
  ...over,
});

describe('the OpenAPI contract check', () => {
  it('compiles every schema of the document in strict mode', () => {
    for (const name of Object.keys(document.components?.schemas ?? {}))
      expect(contract.validator(name), name).toBeTypeOf('function');
  });

  it('accepts an answer that matches, and refuses each kind of departure', () => {
    expect(contract.check([answer(policy)])).toEqual([]);
    const problems = (r: Recorded) => contract.check([r]).map((v) => v.problem);
    expect(problems(answer({ ...policy, extra: 1 }))[0]).toMatch(/unevaluated propert/);
    expect(problems(answer({ ...policy, latestRevision: '1' }))[0]).toMatch(/must be integer/);
    expect(problems(answer({ ...policy, createdAt: 'yesterday' }))[0]).toMatch(/date-time/);
    expect(problems(answer(policy, { status: 201 }))[0]).toMatch(/status 201 is not documented/);
    expect(problems(answer(policy, { contentType: 'text/html' }))[0]).toMatch(/text\/html/);
    expect(problems(answer(policy, { url: 'http://127.0.0.1/v2/x' }))[0]).toMatch(/no such/);
    const problem = {
      type: 'urn:gbp-netpol:problem:cluster-not-found',
      title: 'Not Found',
      status: 404,
      detail: 'x',
      instance: '/v1/policies/mms-example',
    };
    const notFound = { status: 404, contentType: 'application/problem+json' };
    expect(problems(answer(problem, notFound))[0]).toMatch(/cluster-not-found is not documented/);
    const documented = { ...problem, type: 'urn:gbp-netpol:problem:policy-not-found' };
    expect(contract.check([answer(documented, notFound)])).toEqual([]);
  });
});
