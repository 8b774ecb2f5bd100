import { IMAGE_BUILD_EXPORTED_VARIABLES, opsResourceNames } from "@phoenix/shared";
import { Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as codebuild from "aws-cdk-lib/aws-codebuild";
import * as ecr from "aws-cdk-lib/aws-ecr";
import { describe, expect, it } from "vitest";
import { ImageBuildProject } from "../src/delivery/image-build-project.js";
import { ImageRepository } from "../src/delivery/image-repository.js";
import { testAppsCleanedAfterEach } from "./support/synth.js";

const app = "phoenix";
const names = opsResourceNames(app);
/** The pull-through cache prefix an app gets by default. */
const cachePrefix = `${app}-upstream`;
const env = { account: "111122223333", region: "eu-west-1" };

const newApp = testAppsCleanedAfterEach();

function deliveryStack(): { stack: Stack } {
  const stack = new Stack(newApp(), "Delivery", { env });
  const { repository } = new ImageRepository(stack, "Images", { app });
  new ImageBuildProject(stack, "ImageBuild", { app, repository, owner: "acme", repo: "phoenix" });
  return { stack };
}

interface LifecycleRuleJson {
  rulePriority: number;
  selection: { tagStatus: string; countType: string; countNumber: number; countUnit?: string };
  action: { type: string };
}

describe("requirement Delivery: the image repository", () => {
  it("names the repository for the app, scans on push and makes tags immutable and KMS-encrypted", () => {
    const template = Template.fromStack(deliveryStack().stack);
    template.hasResourceProperties("AWS::ECR::Repository", {
      RepositoryName: names.repository,
      ImageScanningConfiguration: { ScanOnPush: true },
      ImageTagMutability: "IMMUTABLE",
      EncryptionConfiguration: { EncryptionType: "KMS" },
    });
  });

  it("expires untagged images after 14 days and keeps the last 30", () => {
    const template = Template.fromStack(deliveryStack().stack);
    const [repository] = Object.values(template.findResources("AWS::ECR::Repository"));
    const policy = JSON.parse(repository?.Properties.LifecyclePolicy.LifecyclePolicyText) as {
      rules: LifecycleRuleJson[];
    };
    const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
    expect(rules.map(({ selection, action }) => ({ ...selection, action: action.type }))).toEqual([
      { tagStatus: "untagged", countType: "sinceImagePushed", countNumber: 14, countUnit: "days", action: "expire" },
      { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 30, action: "expire" },
    ]);
    // ECR rejects a policy whose `any` rule is not evaluated last.
    expect(rules.at(-1)?.selection.tagStatus).toBe("any");
  });

  it("keeps the repository and its images when the stack is deleted", () => {
    Template.fromStack(deliveryStack().stack).hasResource("AWS::ECR::Repository", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
    });
  });

  it("uses a repository brought by the caller instead of creating one", () => {
    const stack = new Stack(newApp(), "Existing", { env });
    const existing = ecr.Repository.fromRepositoryName(stack, "Existing", names.repository);
    expect(new ImageRepository(stack, "Images", { existingRepository: existing }).repository).toBe(existing);
    Template.fromStack(stack).resourceCountIs("AWS::ECR::Repository", 0);
    expect(
      () =>
        new ImageRepository(stack, "Both", {
          existingRepository: existing,
          repositoryProps: { imageScanOnPush: false },
        }),
    ).toThrow("ImageRepository: give existingRepository or repositoryProps, not both");
  });

  it("needs the app to name a new repository", () => {
    const stack = new Stack(undefined, "Nameless");
    expect(() => new ImageRepository(stack, "Images", {})).toThrow(
      "ImageRepository: app is required unless existingRepository is given",
    );
  });

  it("fails at synth with the prop named when the image count is not a whole number", () => {
    const stack = new Stack(undefined, "Bad");
    expect(() => new ImageRepository(stack, "Images", { app, keepLastImages: 2.5 })).toThrow(
      /ImageRepository: keepLastImages must be a whole number/,
    );
  });
});

describe("requirement Delivery: the image build", () => {
  function buildSpec(template: Template): {
    env: Record<string, unknown>;
    phases: Record<string, { commands: string[] }>;
  } {
    const [project] = Object.values(template.findResources("AWS::CodeBuild::Project"));
    return JSON.parse(project?.Properties.Source.BuildSpec);
  }

  it("builds the app's Dockerfile from the repository root in privileged mode with BuildKit", () => {
    const template = Template.fromStack(deliveryStack().stack);
    template.hasResourceProperties("AWS::CodeBuild::Project", {
      Name: names.buildProject,
      Environment: {
        Image: "aws/codebuild/standard:8.0",
        PrivilegedMode: true,
        EnvironmentVariables: Match.arrayWith([
          { Name: "DOCKERFILE", Type: "PLAINTEXT", Value: "packages/phoenix-app/Dockerfile" },
          { Name: "DOCKER_BUILDKIT", Type: "PLAINTEXT", Value: "1" },
        ]),
      },
      TimeoutInMinutes: 20,
      EncryptionKey: Match.anyValue(),
    });
    const commands = Object.values(buildSpec(template).phases).flatMap((phase) => phase.commands);
    expect(commands.join("\n")).toContain('docker build --file "$DOCKERFILE"');
    expect(commands.join("\n")).toMatch(/--tag "\$REPOSITORY_URI:\$IMAGE_TAG" .* \.$/m);
    expect(commands).toContainEqual(expect.stringContaining("aws ecr get-login-password"));
  });

  it("tags by commit sha", () => {
    const spec = buildSpec(Template.fromStack(deliveryStack().stack));
    const commands = Object.values(spec.phases).flatMap((phase) => phase.commands);
    expect(commands[0]).toBe('IMAGE_TAG="$CODEBUILD_RESOLVED_SOURCE_VERSION"');
    // Anything but a full sha (a branch name, a short sha) fails the build before a push.
    expect(commands.join("\n")).toContain('[[ "$IMAGE_TAG" =~ ^[0-9a-f]{40}$ ]] || {');
    expect(commands.join("\n")).toContain('docker push "$REPOSITORY_URI:$IMAGE_TAG"');
  });

  it("exports the image digest so the bot deploys by digest", () => {
    const spec = buildSpec(Template.fromStack(deliveryStack().stack));
    expect(spec.env["exported-variables"]).toEqual(["IMAGE_TAG", "IMAGE_DIGEST", "IMAGE_URI"]);
    expect(Object.values(IMAGE_BUILD_EXPORTED_VARIABLES).sort()).toEqual(["IMAGE_DIGEST", "IMAGE_TAG", "IMAGE_URI"]);
    const commands = Object.values(spec.phases).flatMap((phase) => phase.commands);
    expect(commands).toContain('IMAGE_URI="$REPOSITORY_URI@$IMAGE_DIGEST"');
  });

  it("clones GitHub without a webhook: the bot starts each build at a sha", () => {
    const template = Template.fromStack(deliveryStack().stack);
    template.hasResourceProperties("AWS::CodeBuild::Project", {
      Source: { Type: "GITHUB", Location: "https://github.com/acme/phoenix.git", ReportBuildStatus: false },
    });
    const [project] = Object.values(template.findResources("AWS::CodeBuild::Project"));
    expect(project?.Properties.Triggers?.Webhook ?? false).toBe(false);
  });

  it("keeps build logs for 7 days", () => {
    const template = Template.fromStack(deliveryStack().stack);
    const [logGroupId] = Object.keys(
      template.findResources("AWS::Logs::LogGroup", { Properties: { RetentionInDays: 7 } }),
    );
    template.hasResourceProperties("AWS::CodeBuild::Project", {
      LogsConfig: { CloudWatchLogs: { Status: "ENABLED", GroupName: { Ref: logGroupId } } },
    });
  });

  it("may push to its repository only, with Resource '*' for ecr:GetAuthorizationToken alone", () => {
    const template = Template.fromStack(deliveryStack().stack);
    const statements = Object.values(template.findResources("AWS::IAM::Policy")).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
    const wildcardActions = statements
      .filter((statement) => [statement.Resource].flat().includes("*"))
      .flatMap((statement) => [statement.Action].flat());
    expect(wildcardActions).toEqual(["ecr:GetAuthorizationToken"]);
    const [repositoryId] = Object.keys(template.findResources("AWS::ECR::Repository"));
    const push = statements.find((statement) => [statement.Action].flat().includes("ecr:PutImage"));
    expect(push?.Resource).toEqual({ "Fn::GetAtt": [repositoryId, "Arn"] });
  });

  it("passes the Dockerfile its Node base image through an ECR pull-through cache of ECR Public", () => {
    const template = Template.fromStack(deliveryStack().stack);
    template.hasResourceProperties("AWS::ECR::PullThroughCacheRule", {
      EcrRepositoryPrefix: cachePrefix,
      UpstreamRegistry: "ecr-public",
      UpstreamRegistryUrl: "public.ecr.aws",
    });
    template.hasResourceProperties("AWS::CodeBuild::Project", {
      Environment: {
        EnvironmentVariables: Match.arrayWith([
          {
            Name: "NODE_IMAGE",
            Type: "PLAINTEXT",
            Value: {
              "Fn::Join": [
                "",
                [`111122223333.dkr.ecr.eu-west-1.`, { Ref: "AWS::URLSuffix" }, `/${cachePrefix}/docker/library/node`],
              ],
            },
          },
        ]),
      },
    });
    const commands = Object.values(buildSpec(template).phases).flatMap((phase) => phase.commands);
    expect(commands.join("\n")).toContain('docker build --file "$DOCKERFILE" --build-arg NODE_IMAGE ');
  });

  it("may import and create repositories under the cache prefix only", () => {
    const template = Template.fromStack(deliveryStack().stack);
    const statements = Object.values(template.findResources("AWS::IAM::Policy")).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
    const importing = statements.filter((statement) =>
      [statement.Action]
        .flat()
        .some((action) => action === "ecr:BatchImportUpstreamImage" || action === "ecr:CreateRepository"),
    );
    expect(importing).toHaveLength(1);
    expect(importing[0]?.Resource).toEqual({
      "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:ecr:eu-west-1:111122223333:repository/${cachePrefix}/*`]],
    });
  });

  it("pulls from Docker Hub, with no cache rule and no import rights, when asked to", () => {
    const stack = new Stack(newApp(), "DockerHub", { env });
    const { repository } = new ImageRepository(stack, "Images", { app });
    new ImageBuildProject(stack, "ImageBuild", {
      app,
      repository,
      owner: "acme",
      repo: "phoenix",
      baseImageSource: "docker-hub",
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs("AWS::ECR::PullThroughCacheRule", 0);
    const [project] = Object.values(template.findResources("AWS::CodeBuild::Project"));
    const variables = ((project?.Properties.Environment.EnvironmentVariables ?? []) as { Name: string }[]).map(
      (v) => v.Name,
    );
    expect(variables).toContain("DOCKERFILE");
    expect(variables).not.toContain("NODE_IMAGE");
    expect(JSON.stringify(template.findResources("AWS::IAM::Policy"))).not.toContain("ecr:BatchImportUpstreamImage");
  });

  it.each([["a"], ["Phoenix-Staging"], ["phoenix--staging"], ["a-prefix-longer-than-thirty-chars"]])(
    "fails at synth with the prop named for the cache prefix %j",
    (prefix) => {
      const stack = new Stack(newApp(), "BadPrefix", { env });
      const repository = ecr.Repository.fromRepositoryName(stack, "Repo", names.repository);
      expect(
        () =>
          new ImageBuildProject(stack, "Build", {
            app,
            repository,
            owner: "acme",
            repo: "phoenix",
            baseImageCachePrefix: prefix,
          }),
      ).toThrow(/ImageBuildProject: baseImageCachePrefix ".*" must be 2 to 30 characters/);
    },
  );

  it("requires owner and repo when no source is given", () => {
    const stack = new Stack(undefined, "Bad");
    const repository = ecr.Repository.fromRepositoryName(stack, "Repo", names.repository);
    expect(() => new ImageBuildProject(stack, "Build", { app, repository })).toThrow(
      /ImageBuildProject: owner and repo are required unless source is given/,
    );
    expect(
      () =>
        new ImageBuildProject(stack, "WithSource", {
          app,
          repository,
          source: codebuild.Source.gitHub({ owner: "acme", repo: "phoenix", webhook: false }),
        }),
    ).not.toThrow();
  });
});

describe("requirement Pull works across accounts: the repository policy", () => {
  it("lets principals of each other environment account pull, and nothing more", () => {
    const stack = new Stack(newApp(), "Ops", { env });
    new ImageRepository(stack, "Images", { app, pullAccounts: ["222222222222", "333333333333", "222222222222"] });
    const [repository] = Object.values(Template.fromStack(stack).findResources("AWS::ECR::Repository"));
    expect(repository?.Properties.RepositoryPolicyText.Statement).toEqual([
      {
        Sid: "PullFromEnvironmentAccounts",
        Effect: "Allow",
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
        Principal: {
          AWS: ["222222222222", "333333333333"].map((account) => ({
            "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:iam::${account}:root`]],
          })),
        },
      },
    ]);
  });

  it("has no repository policy when every environment shares the repository's account", () => {
    const [repository] = Object.values(Template.fromStack(deliveryStack().stack).findResources("AWS::ECR::Repository"));
    expect(repository?.Properties.RepositoryPolicyText).toBeUndefined();
  });

  it("refuses a pull account that is not a 12-digit account id", () => {
    const stack = new Stack(newApp(), "Ops", { env });
    expect(() => new ImageRepository(stack, "Images", { app, pullAccounts: ["2222"] })).toThrow(
      'ImageRepository: pullAccounts holds "2222", which is not a 12-digit AWS account id',
    );
  });
});
