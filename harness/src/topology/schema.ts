import { z } from 'zod/v4';

/**
 * The containerlab topology file (*.clab.yml) as written, before defaults, kinds
 * and groups are applied. Objects pass unknown keys through: the loader turns each
 * unknown key into one warning, so files written for containerlab itself still load.
 */

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** Keys a node, group, kind entry or `defaults` may carry (containerlab names). */
export const nodeFields = z
  .object({
    kind: z.string(),
    group: z.string(),
    image: z.string(),
    binds: z.array(z.string()),
    env: z.record(z.string(), scalar),
    exec: z.array(z.string()),
    labels: z.record(z.string(), scalar),
    'startup-config': z.string(),
  })
  .partial()
  .passthrough();
export type RawNodeFields = z.infer<typeof nodeFields>;

/** Newer containerlab link syntax: `endpoints: [{node: r1, interface: eth1}, …]`. */
const endpointObject = z.object({ node: z.string(), interface: z.string() }).passthrough();

export const rawLink = z
  .object({
    endpoints: z.array(z.union([z.string(), endpointObject])),
    type: z.string().optional(),
    mtu: z.number().int().positive().optional(),
  })
  .passthrough();
export type RawLink = z.infer<typeof rawLink>;

export const rawTopologyFile = z
  .object({
    name: z.string(),
    prefix: z.string().optional(),
    // Management network: used by the docker runtime only; the netns runtime has none.
    mgmt: z.record(z.string(), z.unknown()).optional(),
    // Our extension (containerlab has no multi-host topology): NAME → Docker endpoint + underlay address.
    hosts: z.record(z.string(), z.object({ endpoint: z.string(), underlay: z.string() }).strict()).optional(),
    topology: z
      .object({
        defaults: nodeFields.optional(),
        kinds: z.record(z.string(), z.union([nodeFields, z.null()])).optional(),
        groups: z.record(z.string(), z.union([nodeFields, z.null()])).optional(),
        nodes: z.record(z.string(), z.union([nodeFields, z.null()])),
        links: z.array(rawLink).optional(),
      })
      .passthrough(),
  })
  .passthrough();
export type RawTopologyFile = z.infer<typeof rawTopologyFile>;

/** Keys of each object above, to tell used keys from unknown ones. */
export const knownKeys = {
  top: ['name', 'prefix', 'mgmt', 'hosts', 'topology'],
  topology: ['defaults', 'kinds', 'groups', 'nodes', 'links'],
  node: ['kind', 'group', 'image', 'binds', 'env', 'exec', 'labels', 'startup-config'],
  link: ['endpoints', 'type', 'mtu'],
  endpoint: ['node', 'interface'],
} as const;
