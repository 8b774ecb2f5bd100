import { IMAGE_BUILD_EXPORTED_VARIABLES, opsResourceNames } from "@phoenix/shared";
import { Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import * as codebuild from "aws-cdk-lib/aws-codebuild";
import * as ecr from "aws-cdk-lib/aws-ecr";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { ALLOWED_RETENTION_DAYS } from "../observability/app-log-group.js";
import { PropValidationError, requireIntegerInRange, requireOneOf } from "../validation/prop-validation.js";

/** ECR Public mirrors Docker's official images (`docker/library/<name>`), and needs no credential. */
const UPSTREAM_REGISTRY_URL = "public.ecr.aws";
/** The Dockerfile's base image as ECR Public names it; `NODE_IMAGE` in the Dockerfile. */
const NODE_IMAGE_UPSTREAM_PATH = "docker/library/node";
/** ECR's rule for a pull-through cache prefix: lower-case path segments, 2 to 30 characters. */
const CACHE_PREFIX = /^(?=.{2,30}$)[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

export interface ImageBuildProjectProps {
  /** The app; the project is named `opsResourceNames(app).buildProject`. */
  readonly app: string;
  /** Where the image is pushed; the project may push to this repository and no other. */
  readonly repository: ecr.IRepository;
  /**
   * Where the code comes from. The bot starts each build with `StartBuild` and
   * `sourceVersion` set to the commit sha, so the source needs no webhook.
   * @default - GitHub `owner`/`repo`, no webhook. CodeBuild clones with the account's GitHub
   *   credential for this region: a CodeConnections connection or a token imported with
   *   `aws codebuild import-source-credentials` must exist before the first build.
   */
  readonly source?: codebuild.ISource;
  /** GitHub owner of the app repository; required unless `source` is given. @default - none */
  readonly owner?: string;
  /** GitHub repository name (without owner); required unless `source` is given. @default - none */
  readonly repo?: string;
  /**
   * Dockerfile path relative to the repository root, which is the build context.
   * @default "packages/phoenix-app/Dockerfile"
   */
  readonly dockerfile?: string;
  /**
   * Build image; it must run Docker (privileged mode is on) and the AWS CLI v2. Its
   * architecture is the image's: use an ARM build image for an arm64 service.
   * @default codebuild.LinuxBuildImage.STANDARD_8_0 (Ubuntu 24.04, x86_64)
   */
  readonly buildImage?: codebuild.IBuildImage;
  /** @default codebuild.ComputeType.SMALL */
  readonly computeType?: codebuild.ComputeType;
  /** Minutes before CodeBuild stops a build (5–480). @default 20 */
  readonly timeoutMinutes?: number;
  /** Days the build logs are kept; a value CloudWatch Logs accepts. @default 7 */
  readonly logRetentionDays?: number;
  /** @default RemovalPolicy.RETAIN — build logs outlive a deleted stack */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Where the build pulls the Dockerfile's Node base image from. `"pull-through-cache"`: an ECR
   * pull-through cache rule (created here) of ECR Public, which mirrors Docker's official images,
   * passed to the build as `NODE_IMAGE`: Docker Hub limits anonymous pulls per IP, and CodeBuild
   * builds share their IPs. `"docker-hub"`: the Dockerfile's own default, no rule.
   * @default "pull-through-cache"
   */
  readonly baseImageSource?: "pull-through-cache" | "docker-hub";
  /**
   * Repository prefix of the pull-through cache rule (one rule per prefix per account and
   * region, so each app sharing an account needs its own); the cached repositories are
   * created under it on first pull.
   * @default `<app>-upstream` (e.g. `phoenix-upstream`)
   */
  readonly baseImageCachePrefix?: string;
  /**
   * Key for the build's cache and any artifacts.
   * @default - a new customer-managed key with yearly rotation
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Builds the app image at one commit and pushes it to ECR, tagged with the full commit sha
 * (requirement "Delivery"). A commit already pushed is not rebuilt: tags are immutable, and
 * the same sha always yields the same digest for the bot to deploy.
 */
export class ImageBuildProject extends Construct {
  public readonly project: codebuild.Project;
  public readonly logGroup: logs.LogGroup;
  /** The pull-through cache rule, unless the base image comes from Docker Hub. */
  public readonly baseImageCache: ecr.CfnPullThroughCacheRule | undefined;

  constructor(scope: Construct, id: string, props: ImageBuildProjectProps) {
    super(scope, id);
    const name = "ImageBuildProject";
    const timeoutMinutes = requireIntegerInRange(name, "timeoutMinutes", props.timeoutMinutes ?? 20, 5, 480);

    this.logGroup = new logs.LogGroup(this, "Logs", {
      retention: requireOneOf(name, "logRetentionDays", props.logRetentionDays ?? 7, ALLOWED_RETENTION_DAYS),
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    const encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, "Key", {
        description: `Encrypts the cache and artifacts of ${opsResourceNames(props.app).buildProject}`,
        enableKeyRotation: true,
      });

    const baseImage = this.baseImagePull(name, props);
    this.baseImageCache = baseImage?.rule;

    this.project = new codebuild.Project(this, "Project", {
      projectName: opsResourceNames(props.app).buildProject,
      description: "Builds the app image at a commit and pushes it to ECR tagged with the commit sha",
      source: props.source ?? defaultGitHubSource(props),
      environment: {
        buildImage: props.buildImage ?? codebuild.LinuxBuildImage.STANDARD_8_0,
        computeType: props.computeType ?? codebuild.ComputeType.SMALL,
        // `docker build` needs the Docker daemon, which only runs in privileged mode.
        privileged: true,
        environmentVariables: {
          REPOSITORY_URI: { value: props.repository.repositoryUri },
          REPOSITORY_NAME: { value: props.repository.repositoryName },
          DOCKERFILE: { value: props.dockerfile ?? "packages/phoenix-app/Dockerfile" },
          // The Dockerfile uses cache mounts (`RUN --mount=type=cache`), a BuildKit feature.
          DOCKER_BUILDKIT: { value: "1" },
          ...(baseImage ? { NODE_IMAGE: { value: baseImage.nodeImage } } : {}),
        },
      },
      buildSpec: codebuild.BuildSpec.fromObject(IMAGE_BUILD_SPEC),
      cache: codebuild.Cache.local(codebuild.LocalCacheMode.DOCKER_LAYER),
      encryptionKey,
      timeout: Duration.minutes(timeoutMinutes),
      logging: { cloudWatch: { logGroup: this.logGroup } },
    });

    // Push (and the digest look-up) to this repository only. ecr:GetAuthorizationToken is added
    // by the grant with Resource "*": it is an account-level call with no resource type.
    props.repository.grantPullPush(this.project);
    props.repository.grant(this.project, "ecr:DescribeImages");
    if (baseImage) {
      // Pulling through the cache imports the image, and creates its repository on first pull.
      this.project.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchImportUpstreamImage",
            "ecr:CreateRepository",
          ],
          resources: [baseImage.repositoriesArn],
        }),
      );
    }

    this.acknowledgeFindings(baseImage?.prefix);
  }

  /** The pull-through cache rule and what the build needs to use it; undefined for Docker Hub. */
  private baseImagePull(name: string, props: ImageBuildProjectProps) {
    const source = requireOneOf(name, "baseImageSource", props.baseImageSource ?? "pull-through-cache", [
      "pull-through-cache",
      "docker-hub",
    ] as const);
    if (source === "docker-hub") return undefined;
    const prefix = props.baseImageCachePrefix ?? `${props.app}-upstream`;
    if (!CACHE_PREFIX.test(prefix)) {
      throw new PropValidationError(
        `${name}: baseImageCachePrefix "${prefix}" must be 2 to 30 characters: lower-case letters and digits, with single . _ - or / between them (ECR's rule)`,
      );
    }
    const rule = new ecr.CfnPullThroughCacheRule(this, "BaseImageCache", {
      ecrRepositoryPrefix: prefix,
      upstreamRegistry: "ecr-public",
      upstreamRegistryUrl: UPSTREAM_REGISTRY_URL,
    });
    const stack = Stack.of(this);
    return {
      rule,
      prefix,
      nodeImage: `${stack.account}.dkr.ecr.${stack.region}.${stack.urlSuffix}/${prefix}/${NODE_IMAGE_UPSTREAM_PATH}`,
      repositoriesArn: stack.formatArn({ service: "ecr", resource: "repository", resourceName: `${prefix}/*` }),
    };
  }

  private acknowledgeFindings(baseImageCachePrefix: string | undefined): void {
    Validations.of(this.project).acknowledge({
      id: "AwsSolutions-CB3",
      reason:
        "Privileged mode runs the Docker daemon that builds the image; the build runs only this repository's Dockerfile.",
    });
    const role = this.project.role;
    if (!role) return;
    // cdk-nag names wildcard findings after the rendered ARN, a reference written <LogicalId>.
    const stack = Stack.of(this);
    const rendered = (value: string): string => {
      const resolved: unknown = stack.resolve(value);
      return typeof resolved === "string" ? resolved : `<${(resolved as { Ref: string }).Ref}>`;
    };
    const arnPrefix = (service: string) =>
      `arn:<AWS::Partition>:${service}:${rendered(stack.region)}:${rendered(stack.account)}`;
    const projectRef = `<${stack.getLogicalId(this.project.node.defaultChild as codebuild.CfnProject)}>`;
    const acknowledgements: [finding: string, reason: string][] = [
      [
        "Resource::*",
        "ecr:GetAuthorizationToken (docker login to ECR) has no resource type; AWS requires Resource '*'. Every other statement names this project's repository, log groups, key or report groups.",
      ],
      [
        `Resource::${arnPrefix("logs")}:log-group:/aws/codebuild/${projectRef}:*`,
        "Added by the CodeBuild construct for the project's default log group: its log streams, named per build.",
      ],
      [
        `Resource::${arnPrefix("codebuild")}:report-group/${projectRef}-*`,
        "Added by the CodeBuild construct: test report groups named after this project only.",
      ],
      ["Action::kms:ReEncrypt*", "Key grant added by the CodeBuild construct, on this project's key only."],
      ["Action::kms:GenerateDataKey*", "Key grant added by the CodeBuild construct, on this project's key only."],
    ];
    if (baseImageCachePrefix) {
      acknowledgements.push([
        `Resource::${arnPrefix("ecr")}:repository/${baseImageCachePrefix}/*`,
        "The pull-through cache creates one repository per upstream image under this deployment's prefix on first pull; their names are not known in advance.",
      ]);
    }
    for (const [finding, reason] of acknowledgements) {
      Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    }
  }
}

function defaultGitHubSource(props: ImageBuildProjectProps): codebuild.ISource {
  if (!props.owner || !props.repo) {
    throw new PropValidationError("ImageBuildProject: owner and repo are required unless source is given");
  }
  return codebuild.Source.gitHub({ owner: props.owner, repo: props.repo, webhook: false, reportBuildStatus: false });
}

/**
 * One build = one commit. `CODEBUILD_RESOLVED_SOURCE_VERSION` is the commit sha the build
 * checked out (the `sourceVersion` the bot asked for, resolved). The digest is read back from
 * ECR rather than from the local Docker daemon, so it is the one the registry serves.
 */
const IMAGE_BUILD_SPEC = {
  version: "0.2",
  env: {
    shell: "bash",
    "exported-variables": Object.values(IMAGE_BUILD_EXPORTED_VARIABLES),
  },
  phases: {
    pre_build: {
      commands: [
        'IMAGE_TAG="$CODEBUILD_RESOLVED_SOURCE_VERSION"',
        `[[ "$IMAGE_TAG" =~ ^[0-9a-f]{40}$ ]] || { echo "expected a full commit sha to tag the image with, got '$IMAGE_TAG'"; exit 1; }`,
        'REGISTRY="$(echo "$REPOSITORY_URI" | cut -d / -f 1)"',
        'aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "$REGISTRY"',
      ],
    },
    build: {
      commands: [
        [
          'if aws ecr describe-images --repository-name "$REPOSITORY_NAME" --image-ids imageTag="$IMAGE_TAG" > /dev/null 2>&1; then',
          '  echo "$REPOSITORY_URI:$IMAGE_TAG is already pushed; tags are immutable, so it is not rebuilt"',
          "else",
          // --build-arg NODE_IMAGE takes the variable's value, or leaves the Dockerfile's default when it is unset.
          '  docker build --file "$DOCKERFILE" --build-arg NODE_IMAGE --tag "$REPOSITORY_URI:$IMAGE_TAG" --label "org.opencontainers.image.revision=$IMAGE_TAG" .',
          '  docker push "$REPOSITORY_URI:$IMAGE_TAG"',
          "fi",
        ].join("\n"),
        `IMAGE_DIGEST="$(aws ecr describe-images --repository-name "$REPOSITORY_NAME" --image-ids imageTag="$IMAGE_TAG" --query 'imageDetails[0].imageDigest' --output text)"`,
        `[[ "$IMAGE_DIGEST" == sha256:* ]] || { echo "ECR returned no digest for $IMAGE_TAG: '$IMAGE_DIGEST'"; exit 1; }`,
        'IMAGE_URI="$REPOSITORY_URI@$IMAGE_DIGEST"',
        'echo "pushed $IMAGE_URI"',
      ],
    },
  },
} as const;
