/** A deterministic document: network i provides to two others, plus an expose rule every 10th. */
export function syntheticDocument(networks: number): Record<string, unknown> {
  const net = (i: number) => `net_${i % networks}`;
  const contracts: Record<string, unknown> = {};
  for (let i = 0; i < networks * 2; i++) {
    contracts[`contract_${i}`] = {
      provide_networks: [net(i)],
      consume_networks: [net(i * 7 + 1), net(i * 13 + 5)],
      ports: [
        { protocol: 'TCP', port: 1000 + (i % 50) },
        { protocol: 'UDP', port: String(2000 + (i % 7)) },
        { port: `${3000 + (i % 3)}-${3100 + (i % 3)}` },
      ],
    };
  }
  const expose = Array.from({ length: Math.ceil(networks / 10) }, (_, i) => ({
    network: net(i * 10),
    cidr: `10.${i % 256}.0.0/16`,
    except: [`10.${i % 256}.1.0/24`],
    ports: [{ port: 443 }],
  }));
  return { namespaces: ['prod', 'staging', 'dev'], contracts, expose };
}
