// The MMS example document of the original project (shared/seed/example-document.json),
// attached to OpenAPI as the request example.
export const EXAMPLE_DOCUMENT = {
  namespaces: ['mms'],
  contracts: {
    hangwe_inst_constract01: {
      provide_networks: ['hangwe_inst_network02'],
      consume_networks: ['hangwe_inst_network01'],
      ports: [
        {
          protocol: 'TCP',
          port: '23',
        },
        {
          protocol: 'TCP',
          port: '3306',
        },
      ],
    },
    hangwe_inst_constract02: {
      provide_networks: ['hangwe_inst_network01'],
      consume_networks: ['hangwe_inst_network03'],
      ports: [
        {
          protocol: 'TCP',
          port: '23',
        },
      ],
    },
  },
  expose: [
    {
      network: 'hangwe_inst_network01',
      cidr: '0.0.0.0/0',
      except: [],
      ports: [
        {
          protocol: 'TCP',
          port: '80',
        },
      ],
    },
  ],
} as const;
