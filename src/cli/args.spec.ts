import { EXIT, parseCommand, UsageError } from './args.js';

const env = { GBP_NETPOL_URL: 'https://netpol.example:8443', GBP_NETPOL_TOKEN: 'from-env' };

describe('parseCommand', () => {
  const cases: { name: string; argv: string[]; expected: unknown }[] = [
    {
      name: 'compile defaults to YAML, offline',
      argv: ['compile', 'doc.yaml'],
      expected: { kind: 'compile', file: 'doc.yaml', output: 'yaml' },
    },
    {
      name: 'compile -o json for a cluster',
      argv: ['compile', 'doc.json', '-o', 'json', '--cluster', 'prod-eu'],
      expected: { kind: 'compile', file: 'doc.json', output: 'json', cluster: 'prod-eu' },
    },
    {
      name: 'plan with clusters and a selector',
      argv: [
        'plan',
        'd.json',
        '--name',
        'p',
        '--cluster',
        'a',
        '--cluster',
        'b',
        '--selector',
        'env=prod',
      ],
      expected: {
        kind: 'plan',
        file: 'd.json',
        name: 'p',
        output: 'text',
        targets: { clusters: ['a', 'b'], clusterSelector: { matchLabels: { env: 'prod' } } },
      },
    },
    {
      name: 'diff without targets keeps the policy’s, --exit-code',
      argv: ['diff', 'd.json', '--name', 'p', '--exit-code'],
      expected: { kind: 'diff', file: 'd.json', name: 'p', targets: undefined, exitCode: true },
    },
    {
      name: 'apply follows the rollout unless --no-wait',
      argv: ['apply', 'd.json', '--name', 'p', '--cluster', 'a', '--self-heal', '--no-wait'],
      expected: {
        kind: 'apply',
        file: 'd.json',
        name: 'p',
        targets: { clusters: ['a'] },
        wait: false,
        selfHeal: true,
      },
    },
    {
      name: 'status --watch',
      argv: ['status', 'p', '-w'],
      expected: { kind: 'status', name: 'p', watch: true },
    },
    {
      name: 'clusters add with a kubeconfig, a context and labels',
      argv: [
        'clusters',
        'add',
        'c1',
        '--kubeconfig',
        'k.yaml',
        '--context',
        'ctx',
        '--label',
        'env=prod',
      ],
      expected: {
        kind: 'clusters-add',
        name: 'c1',
        kubeconfig: 'k.yaml',
        context: 'ctx',
        labels: { env: 'prod' },
      },
    },
    { name: 'no arguments is help', argv: [], expected: { kind: 'help' } },
    {
      name: '--help after a command is help',
      argv: ['apply', '--help'],
      expected: { kind: 'help' },
    },
  ];
  it.each(cases)('$name', ({ argv, expected }) => {
    expect(parseCommand(argv, {}).command).toEqual(expected);
  });

  const refused: { name: string; argv: string[]; message: RegExp }[] = [
    { name: 'unknown command', argv: ['deploy'], message: /unknown command "deploy"/ },
    { name: 'unknown flag', argv: ['compile', 'd', '--fast'], message: /--fast/ },
    {
      name: 'bad output',
      argv: ['compile', 'd', '-o', 'xml'],
      message: /-o must be one of yaml, json/,
    },
    { name: 'no file', argv: ['plan', '--name', 'p'], message: /missing FILE/ },
    { name: 'no name', argv: ['diff', 'd.json'], message: /--name is required/ },
    {
      name: 'apply without targets',
      argv: ['apply', 'd', '--name', 'p'],
      message: /--cluster or --selector/,
    },
    {
      name: '--exit-code off diff',
      argv: ['plan', 'd', '--name', 'p', '--exit-code'],
      message: /for "diff" only/,
    },
    {
      name: 'a selector without =',
      argv: ['plan', 'd', '--name', 'p', '--selector', 'prod'],
      message: /KEY=VALUE/,
    },
    {
      name: 'clusters add without kubeconfig',
      argv: ['clusters', 'add', 'c'],
      message: /--kubeconfig is required/,
    },
    { name: 'clusters what', argv: ['clusters', 'remove'], message: /"add" or "list"/ },
  ];
  it.each(refused)('refuses $name', ({ argv, message }) => {
    expect(() => parseCommand(argv, {})).toThrow(UsageError);
    expect(() => parseCommand(argv, {})).toThrow(message);
  });

  it('takes the service and token from flags over the environment', () => {
    expect(parseCommand(['status', 'p'], env).connection).toEqual({
      url: 'https://netpol.example:8443',
      token: 'from-env',
    });
    expect(
      parseCommand(['status', 'p', '--url', 'http://x', '--token', 't'], env).connection,
    ).toEqual({
      url: 'http://x',
      token: 't',
    });
    expect(parseCommand(['status', 'p'], {}).connection).toEqual({ url: 'http://localhost:8080' });
  });

  it('has distinct exit codes, with diff’s differences at 1 as kubectl has them', () => {
    expect(new Set(Object.values(EXIT)).size).toBe(Object.keys(EXIT).length);
    expect(EXIT.DIFFERENCES).toBe(1);
    expect(EXIT.USAGE).toBeGreaterThan(1);
  });
});
