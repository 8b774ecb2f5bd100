import { opsResourceNames } from "@phoenix/shared";
import { Duration, RemovalPolicy, Token } from "aws-cdk-lib";
import * as ecr from "aws-cdk-lib/aws-ecr";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";
import {
  PropValidationError,
  requireExistingOrProps,
  requireForNewResource,
  requireIntegerInRange,
} from "../validation/prop-validation.js";

export interface ImageRepositoryProps {
  /**
   * The app whose image the repository holds; it is named `opsResourceNames(app).repository`
   * (one repository per app, shared by its environments, so an image is promoted, not rebuilt).
   * Required unless `existingRepository` is given.
   * @default - none
   */
  readonly app?: string;
  /**
   * Other AWS accounts whose principals may pull (ecr:BatchGetImage, ecr:GetDownloadUrlForLayer,
   * ecr:BatchCheckLayerAvailability): the accounts of environments outside the repository's own.
   * Each account still decides which of its roles may pull, with their identity policies.
   * @default - none: only principals of this account, by their identity policies
   */
  readonly pullAccounts?: readonly string[];
  /**
   * A repository created elsewhere (for example by the stack of another environment of the same
   * app). Nothing is created and none of the other props apply.
   * @default - a new repository is created
   */
  readonly existingRepository?: ecr.IRepository;
  /**
   * Overrides for the created repository, applied over this construct's choices.
   * @default - scan on push, immutable tags, KMS encryption, the lifecycle rules below
   */
  readonly repositoryProps?: Partial<ecr.RepositoryProps>;
  /**
   * Days after which an untagged image (a layer left behind by a re-push or a failed build)
   * is deleted.
   * @default 14
   */
  readonly untaggedImageExpiryDays?: number;
  /**
   * How many images the repository keeps; older ones are deleted. Commits roll back to any of
   * these without a rebuild.
   * @default 30
   */
  readonly keepLastImages?: number;
  /**
   * KMS key for the images. ECR's encryption setting cannot change after creation.
   * @default - the AWS managed key `aws/ecr`: KMS encryption without a key policy to maintain,
   *   and every role that may pull (task execution roles of all environments) can decrypt.
   */
  readonly encryptionKey?: kms.IKey;
  /** @default RemovalPolicy.RETAIN — the images that production runs outlive a deleted stack */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The ECR repository the app image is pushed to (requirement "Delivery"): scanned on push,
 * tags immutable (a commit sha always means the same image), KMS-encrypted, and pruned by
 * lifecycle rules so it does not grow without bound.
 */
export class ImageRepository extends Construct {
  public readonly repository: ecr.IRepository;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    const name = "ImageRepository";
    requireExistingOrProps(
      name,
      "existingRepository",
      props.existingRepository,
      "repositoryProps",
      props.repositoryProps,
    );
    if (props.existingRepository) {
      this.repository = props.existingRepository;
      return;
    }
    const app = requireForNewResource(name, "app", props.app, "existingRepository");
    const repository = new ecr.Repository(this, "Repository", {
      repositoryName: opsResourceNames(app).repository,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      encryption: ecr.RepositoryEncryption.KMS,
      encryptionKey: props.encryptionKey,
      lifecycleRules: imageLifecycleRules(
        requireIntegerInRange(
          "ImageRepository",
          "untaggedImageExpiryDays",
          props.untaggedImageExpiryDays ?? 14,
          1,
          3650,
        ),
        requireIntegerInRange("ImageRepository", "keepLastImages", props.keepLastImages ?? 30, 1, 10_000),
      ),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...props.repositoryProps,
    });
    const pullAccounts = [...new Set(props.pullAccounts ?? [])];
    for (const account of pullAccounts) {
      if (!Token.isUnresolved(account) && !/^\d{12}$/.test(account)) {
        throw new PropValidationError(
          `${name}: pullAccounts holds "${account}", which is not a 12-digit AWS account id`,
        );
      }
    }
    if (pullAccounts.length > 0) {
      repository.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: "PullFromEnvironmentAccounts",
          principals: pullAccounts.map((account) => new iam.AccountPrincipal(account)),
          actions: [...IMAGE_PULL_ACTIONS],
        }),
      );
    }
    this.repository = repository;
  }
}

/** What pulling an image from ECR takes, besides `ecr:GetAuthorizationToken` (account-level). */
export const IMAGE_PULL_ACTIONS = [
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
  "ecr:BatchCheckLayerAvailability",
] as const;

/**
 * ECR applies rules from the lowest `rulePriority` up; an image whose tag status a rule
 * selects can be expired by that rule only, and a `tagStatus: any` rule must come last. So:
 * 1. untagged images (left by failed or superseded pushes) go 14 days after push;
 * 2. every image counts towards the last 30, and older tagged images beyond that go.
 */
function imageLifecycleRules(untaggedExpiryDays: number, keepLast: number): ecr.LifecycleRule[] {
  return [
    {
      rulePriority: 1,
      description: `Expire untagged images ${untaggedExpiryDays} days after push`,
      tagStatus: ecr.TagStatus.UNTAGGED,
      maxImageAge: Duration.days(untaggedExpiryDays),
    },
    {
      rulePriority: 2,
      description: `Keep only the last ${keepLast} images`,
      tagStatus: ecr.TagStatus.ANY,
      maxImageCount: keepLast,
    },
  ];
}
