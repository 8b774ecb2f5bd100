/**
 * The daemonless image builder: packages a deployable Node app directory (package.json, dist/,
 * production node_modules) as two layers on a base image and pushes it to an OCI registry,
 * tagged with the commit sha. No Docker, no Dockerfile: the image is assembled from bytes, and
 * the same directory always gives the same digest.
 *
 * Layers, least likely to change first so a new commit usually re-pushes only the last:
 *   1. node_modules (production dependencies)
 *   2. everything else in the directory (package.json, dist/)
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { formatImageReference, type ImageReference } from "@phoenix/shared";
import type { ImageRuntimeConfig } from "./image-assembly.js";
import { buildImageLayer, type ImageLayer, LayerCache } from "./image-layer.js";
import { type PushedImage, pushImage, type ResolvedBaseImage, resolveBaseImage, SCRATCH } from "./image-push.js";
import { OciBuildError } from "./oci-build-error.js";
import type { Platform } from "./oci-manifest.js";
import type { RegistryCredentials, RegistryCredentialsProvider } from "./registry-auth.js";
import { type FetchFunction, RegistryClient } from "./registry-client.js";
import { parseRegistryImage, type RegistryImage, registryImage, repositoryReference } from "./registry-image.js";

export interface RegistryDestination {
  /** `https://host[:port]` (`http://` for a loopback registry only). */
  readonly registryUrl: string;
  /** e.g. `phoenix-app`. */
  readonly repository: string;
  /** @default anonymous */
  readonly credentials?: RegistryCredentials | RegistryCredentialsProvider;
}

export interface OciImageBuilderOptions {
  /** A deployable app directory: package.json, dist/ and production node_modules (see prepareDeployableApp). */
  readonly appDirectory: string;
  /** Where the app directory lands in the image. @default "/app" */
  readonly appPath?: string;
  /**
   * `scratch`, a reference string (`host[:port]/repository:tag` or `…@sha256:…`, optionally after
   * `https://`, or `http://` for a loopback registry) or a parsed reference (@phoenix/shared). Its
   * layers come first; on the destination's registry they are mounted, not copied.
   */
  readonly baseImage: "scratch" | string | ImageReference;
  /** Credentials for the base image's registry when it is not the destination's. @default anonymous */
  readonly baseCredentials?: RegistryCredentials | RegistryCredentialsProvider;
  readonly destination: RegistryDestination;
  /**
   * Runtime settings. @default workingDir = appPath, cmd = ["node", <package.json "main" or dist/main.js>],
   * env NODE_ENV=production
   */
  readonly config?: ImageRuntimeConfig;
  /** Every timestamp in the image (tar mtimes, `created`, history), seconds since the epoch. @default 0 */
  readonly sourceDateEpoch?: number;
  /** The platform of a scratch-based image; a base image's own platform wins. @default linux/amd64 */
  readonly platform?: Platform;
  /** `org.opencontainers.image.source` for a repository `owner/name`. @default https://github.com/<owner/name> */
  readonly sourceUrl?: (repository: string) => string;
  /** Layers by input fingerprint; share one across builders to share warm layers. @default a new cache */
  readonly layerCache?: LayerCache;
  /** zlib level of the layers. @default 6 */
  readonly compressionLevel?: number;
  /** @default globalThis.fetch */
  readonly fetch?: FetchFunction;
}

/** The commit an image is built from; it becomes the tag and the image's provenance labels. */
export interface OciBuildRequest {
  /** Full 40-character commit sha: the image's tag and `org.opencontainers.image.revision`. */
  readonly sha: string;
  /** `owner/name` of the repository the sha belongs to (`org.opencontainers.image.source`). */
  readonly repository: string;
}

/** An image pushed and pinned by digest. */
export interface OciBuiltImage {
  /** `host[:port]/repository`, without tag or digest. */
  readonly repositoryUri: string;
  /** `sha256:<hex>` of the image manifest. */
  readonly digest: string;
  /** `<repositoryUri>@<digest>`: what a task definition should reference. */
  readonly uri: string;
}

/** What one build did: the image, what was pushed, and its layers (for logs and benchmarks). */
export interface OciBuildReport {
  readonly image: OciBuiltImage;
  readonly pushed: PushedImage;
  readonly layers: readonly { readonly description: string; readonly layer: ImageLayer }[];
}

const SHA = /^[0-9a-f]{40}$/;
const OWNER_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
/** pnpm's bookkeeping under node_modules: per-install paths and timestamps, not needed at run time. */
const PNPM_BOOKKEEPING = /^(?:\.modules\.yaml|\.pnpm-workspace-state[^/]*\.json|\.pnpm\/lock\.yaml)$/;

export class OciImageBuilder {
  private readonly client: RegistryClient;
  private readonly baseClient: RegistryClient | undefined;
  private readonly destination: ImageReference;
  private readonly base: RegistryImage | undefined;
  private readonly layerCache: LayerCache;
  private readonly appPath: string;

  constructor(private readonly options: OciImageBuilderOptions) {
    this.client = new RegistryClient({
      registryUrl: options.destination.registryUrl,
      ...(options.destination.credentials ? { credentials: options.destination.credentials } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.destination = repositoryReference(this.client.host, options.destination.repository);
    this.base =
      options.baseImage === "scratch"
        ? undefined
        : typeof options.baseImage === "string"
          ? parseRegistryImage(options.baseImage)
          : registryImage(options.baseImage);
    this.baseClient =
      this.base === undefined
        ? undefined
        : this.base.registryUrl === this.client.baseUrl.origin
          ? this.client
          : new RegistryClient({
              registryUrl: this.base.registryUrl,
              ...(options.baseCredentials ? { credentials: options.baseCredentials } : {}),
              ...(options.fetch ? { fetch: options.fetch } : {}),
            });
    this.layerCache = options.layerCache ?? new LayerCache();
    this.appPath = `/${(options.appPath ?? "/app").replace(/^\/+|\/+$/g, "")}`;
  }

  /** `host[:port]/repository`, as task definitions name the image. */
  get repositoryUri(): string {
    return formatImageReference(this.destination);
  }

  /** Builds the image at `request.sha`, pushes it tagged with the sha, and reports what it pushed. */
  async build(request: OciBuildRequest): Promise<OciBuildReport> {
    try {
      return await this.buildAndPush(request);
    } catch (error) {
      if (error instanceof OciBuildError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new OciBuildError(`image build for ${request.sha} failed: ${reason}`, "ImageBuildFailed", { cause: error });
    }
  }

  private async buildAndPush(request: OciBuildRequest): Promise<OciBuildReport> {
    if (!SHA.test(request.sha)) {
      throw new OciBuildError(`image build: "${request.sha}" is not a full 40-character commit sha`, "InvalidRequest");
    }
    if (!OWNER_NAME.test(request.repository)) {
      throw new OciBuildError(`image build: "${request.repository}" is not an owner/name repository`, "InvalidRequest");
    }
    const [base, layers] = await Promise.all([this.resolveBase(), this.buildLayers()]);
    const created = new Date((this.options.sourceDateEpoch ?? 0) * 1000).toISOString();
    const sourceUrl = (this.options.sourceUrl ?? ((repository) => `https://github.com/${repository}`))(
      request.repository,
    );
    const provenance = {
      "org.opencontainers.image.revision": request.sha,
      "org.opencontainers.image.source": sourceUrl,
    };
    const pushed = await pushImage({
      client: this.client,
      repository: this.destination.repository,
      tag: request.sha,
      base,
      layers,
      runtime: this.runtimeConfig(provenance),
      created,
      ...(this.options.platform ? { platform: this.options.platform } : {}),
      createdBy: "phoenix-ops oci-image-builder",
      annotations: provenance,
    });
    const image: OciBuiltImage = {
      repositoryUri: this.repositoryUri,
      digest: pushed.digest,
      uri: formatImageReference({ ...this.destination, digest: pushed.digest }),
    };
    return { image, pushed, layers };
  }

  private async resolveBase(): Promise<ResolvedBaseImage> {
    if (!this.base || !this.baseClient) return SCRATCH;
    return resolveBaseImage(this.baseClient, this.base.reference, this.options.platform ?? defaultPlatform);
  }

  private async buildLayers(): Promise<{ description: string; layer: ImageLayer }[]> {
    const dir = this.options.appDirectory;
    if (!existsSync(join(dir, "package.json"))) {
      throw new OciBuildError(
        `image build: ${dir} has no package.json; prepare it with prepareDeployableApp (pnpm deploy)`,
        "ImageBuildFailed",
      );
    }
    const to = this.appPath.slice(1);
    const common = { mtime: this.options.sourceDateEpoch ?? 0, compressionLevel: this.options.compressionLevel ?? 6 };
    const hasModules = existsSync(join(dir, "node_modules"));
    const [dependencies, app] = await Promise.all([
      hasModules
        ? buildImageLayer(
            {
              ...common,
              inputs: [
                {
                  kind: "tree",
                  from: join(dir, "node_modules"),
                  to: `${to}/node_modules`,
                  filter: (path) => !PNPM_BOOKKEEPING.test(path),
                },
              ],
            },
            this.layerCache,
          )
        : undefined,
      buildImageLayer(
        { ...common, inputs: [{ kind: "tree", from: dir, to, filter: (path) => path !== "node_modules" }] },
        this.layerCache,
      ),
    ]);
    return [
      ...(dependencies ? [{ description: `production node_modules in ${this.appPath}`, layer: dependencies }] : []),
      { description: `app files in ${this.appPath} (package.json, dist)`, layer: app },
    ];
  }

  private runtimeConfig(provenance: Record<string, string>): ImageRuntimeConfig {
    const given = this.options.config ?? {};
    return {
      ...given,
      workingDir: given.workingDir ?? this.appPath,
      ...(given.entrypoint || given.cmd ? {} : { cmd: ["node", this.packageMain()] }),
      env: { NODE_ENV: "production", ...given.env },
      labels: { ...given.labels, ...provenance },
    };
  }

  private packageMain(): string {
    try {
      const manifest = JSON.parse(readFileSync(join(this.options.appDirectory, "package.json"), "utf8")) as {
        main?: unknown;
      };
      if (typeof manifest.main === "string") return manifest.main.replace(/^\.\//, "");
    } catch {
      // an unreadable package.json is reported by buildLayers
    }
    return "dist/main.js";
  }
}

const defaultPlatform: Platform = { os: "linux", architecture: "amd64" };
