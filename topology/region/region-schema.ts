/**
 * The shape of deploy/regions/<region>/region.yaml: what a platform team sets per region. Checks
 * that need only the file itself live here (replicas <= partitions, topic prefix, TLS when
 * required); checks against other files (topology, policy, model, k8s overlay) are in load-region.ts.
 */
import { z } from 'zod';

// Kafka's legal topic characters and length.
const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name (letters, digits, ".", "_", "-"; at most 249)');
const hostPort = z.string().regex(/^[^:\s]+:\d{1,5}$/, 'expected host:port');

/** The region's topics, one per Prescient topic (schemas/topics.ts). */
export const TOPIC_KEYS = ['packets', 'anomalies', 'mitigations', 'predictions', 'forensics', 'deadLetters'] as const;

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

export const regionTlsSchema = z.object({
  /** When true, every connection to Kafka and Redis must use TLS: the CA (and, for mTLS, cert + key) must be set. */
  required: z.boolean(),
  /** Paths inside the container (the Secret `prescient-kafka-tls` is mounted at /etc/prescient/tls). */
  caFile: z.string().min(1).optional(),
  certFile: z.string().min(1).optional(),
  keyFile: z.string().min(1).optional(),
  /** SNI / certificate name when it differs from the broker host. */
  serverName: z.string().min(1).optional(),
}).strict();

export const regionSchema = z.object({
  /** Region name, also the Kubernetes namespace suffix and the topic prefix. */
  region: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'expected a DNS label (lower-case letters, digits, "-")'),
  /** Topology file and mitigation policy, relative to the project root (the folder holding package.json). */
  topology: z.string().min(1),
  policy: z.string().min(1),
  topics: z.object({
    /** Every topic of the region starts with this, e.g. `eu-west-1.`. */
    prefix: z.string().min(1),
    packets: topicName,
    anomalies: topicName,
    mitigations: topicName,
    predictions: topicName,
    forensics: topicName,
    deadLetters: topicName,
  }).strict(),
  /** Partitions of the packets topic: the most workers that can hold a task. */
  partitions: z.number().int().min(1).max(4096),
  workers: z.object({ replicas: z.number().int().min(1) }).strict(),
  model: z.object({
    /** metadata.json's `version` of the model to run. */
    version: z.string().min(1),
    /** Model directory (model.json, weights.bin, metadata.json), relative to the project root. */
    dir: z.string().min(1),
  }).strict(),
  kafka: z.object({
    brokers: z.array(hostPort).min(1, 'expected at least one broker'),
    sasl: z.object({
      mechanism: z.enum(SASL_MECHANISMS),
      /** Username and password come from the Secret `prescient-kafka-sasl` (keys username, password). */
    }).strict().optional(),
  }).strict(),
  redis: z.object({
    /** Without the password: it comes from the Secret `prescient-redis` (key password). */
    url: z.string().regex(/^rediss?:\/\/[^\s]+$/, 'expected a redis:// or rediss:// URL'),
  }).strict(),
  tls: regionTlsSchema,
  k8s: z.object({
    namespace: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'expected a DNS label'),
    /** Kustomize overlay of the region, relative to the project root; default deploy/k8s/overlays/<region>. */
    overlay: z.string().min(1).optional(),
  }).strict().optional(),
}).strict().superRefine((r, ctx) => {
  // A worker beyond the partition count gets no partition: it idles and slows every rebalance.
  if (r.workers.replicas > r.partitions) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['workers', 'replicas'], message: `replicas (${r.workers.replicas}) exceed partitions (${r.partitions}): a worker beyond the partition count gets no partition` });
  }
  if (!r.topics.prefix.startsWith(r.region)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['topics', 'prefix'], message: `expected the prefix to start with the region name '${r.region}', got '${r.topics.prefix}'` });
  }
  for (const k of TOPIC_KEYS) {
    if (!r.topics[k].startsWith(r.topics.prefix)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['topics', k], message: `expected a topic starting with the region prefix '${r.topics.prefix}', got '${r.topics[k]}'` });
    }
  }
  if (r.tls.required) {
    if (r.tls.caFile === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['tls', 'caFile'], message: 'missing field: tls.required is true, so the CA file of the brokers and Redis is needed' });
    if (!r.redis.url.startsWith('rediss://')) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['redis', 'url'], message: `tls.required is true, so Redis must be reached over TLS (rediss://), got '${r.redis.url}'` });
  }
  if ((r.tls.certFile === undefined) !== (r.tls.keyFile === undefined)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['tls', r.tls.certFile === undefined ? 'certFile' : 'keyFile'], message: 'client TLS needs both certFile and keyFile, or neither' });
  }
  if (r.kafka.sasl?.mechanism === 'plain' && !r.tls.required) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['kafka', 'sasl', 'mechanism'], message: 'SASL/PLAIN sends the password in clear: set tls.required: true or use scram-sha-256/512' });
  }
});

export type RegionInput = z.input<typeof regionSchema>;
export type RegionConfig = z.output<typeof regionSchema>;
