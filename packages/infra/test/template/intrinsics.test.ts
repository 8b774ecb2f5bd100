import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type IntrinsicScope,
  isUnresolved,
  NO_VALUE,
  referencedLogicalIds,
  resolveIntrinsics,
  UnresolvableIntrinsicError,
  unresolvedValue,
} from "../../src/template/index.js";

/** A stack with one parameter and two resources, as the seed would see them. */
function scope(overrides: Partial<IntrinsicScope> = {}): IntrinsicScope {
  const resources: Record<string, { ref: string; attributes: Record<string, string> }> = {
    Cluster: {
      ref: "phoenix-staging",
      attributes: { Arn: "arn:aws:ecs:eu-west-1:210987654321:cluster/phoenix-staging" },
    },
    Balancer: {
      ref: "arn:aws:elasticloadbalancing:eu-west-1:210987654321:loadbalancer/app/web/0123456789abcdef",
      attributes: { LoadBalancerFullName: "app/web/0123456789abcdef" },
    },
  };
  return {
    accountId: "210987654321",
    region: "eu-west-1",
    stackName: "Phoenix-production",
    isParameter: (name) => name === "LiveImage",
    parameter: () => "127.0.0.1:5000/phoenix/phoenix@sha256:abc",
    ref: (id) => {
      const found = resources[id];
      if (!found) throw new Error(`no ${id}`);
      return found.ref;
    },
    getAtt: (id, attribute) => resources[id]?.attributes[attribute],
    ...overrides,
  };
}

describe("resolveIntrinsics", () => {
  it("resolves pseudo-parameters, template parameters and resources through Ref", () => {
    expect(
      resolveIntrinsics(
        [
          { Ref: "AWS::AccountId" },
          { Ref: "AWS::Region" },
          { Ref: "AWS::Partition" },
          { Ref: "AWS::URLSuffix" },
          { Ref: "AWS::StackName" },
          { Ref: "LiveImage" },
          { Ref: "Cluster" },
        ],
        scope(),
      ),
    ).toEqual([
      "210987654321",
      "eu-west-1",
      "aws",
      "amazonaws.com",
      "Phoenix-production",
      "127.0.0.1:5000/phoenix/phoenix@sha256:abc",
      "phoenix-staging",
    ]);
  });

  it("reads attributes in both Fn::GetAtt spellings", () => {
    expect(resolveIntrinsics({ "Fn::GetAtt": ["Cluster", "Arn"] }, scope())).toBe(
      "arn:aws:ecs:eu-west-1:210987654321:cluster/phoenix-staging",
    );
    expect(resolveIntrinsics({ "Fn::GetAtt": "Cluster.Arn" }, scope())).toBe(
      "arn:aws:ecs:eu-west-1:210987654321:cluster/phoenix-staging",
    );
  });

  it("evaluates the load balancer's full name the way CDK writes it for alarm dimensions (Join of Select of Split)", () => {
    const part = (index: number) => ({ "Fn::Select": [index, { "Fn::Split": ["/", { Ref: "Balancer" }] }] });
    expect(resolveIntrinsics({ "Fn::Join": ["", [part(1), "/", part(2), "/", part(3)]] }, scope())).toBe(
      "app/web/0123456789abcdef",
    );
  });

  it("substitutes Fn::Sub variables, parameters and attributes, and keeps an escaped placeholder literal", () => {
    expect(
      resolveIntrinsics(
        {
          "Fn::Sub": [
            // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub placeholders, not JavaScript ones
            "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/${Repo}:${!tag} on ${Cluster} (${Cluster.Arn})",
            { Repo: { "Fn::Join": ["/", ["phoenix", "phoenix"]] } },
          ],
        },
        scope(),
      ),
    ).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub placeholders, not JavaScript ones
      "210987654321.dkr.ecr.eu-west-1.amazonaws.com/phoenix/phoenix:${tag} on phoenix-staging (arn:aws:ecs:eu-west-1:210987654321:cluster/phoenix-staging)",
    );
  });

  it("removes a property or list element that is AWS::NoValue", () => {
    expect(
      resolveIntrinsics({ A: 1, B: { Ref: "AWS::NoValue" }, C: [1, { Ref: "AWS::NoValue" }, 3] }, scope()),
    ).toEqual({ A: 1, C: [1, 3] });
  });

  it("refuses an intrinsic it does not evaluate, naming where it sits", () => {
    expect(() => resolveIntrinsics({ Properties: { Name: { "Fn::GetAZs": "" } } }, scope(), "Stack.Res")).toThrow(
      new UnresolvableIntrinsicError(
        "Stack.Res.Properties.Name.Fn::GetAZs: Fn::GetAZs is not an intrinsic this resolver evaluates (add it to @phoenix/infra's template/intrinsics.ts)",
      ),
    );
  });

  it("refuses an import when no other stack is known", () => {
    expect(() => resolveIntrinsics({ "Fn::ImportValue": "Shared-Vpc" }, scope(), "Stack.Res")).toThrow(
      "Stack.Res.Fn::ImportValue: no other stack is known to import Shared-Vpc from",
    );
  });

  it("looks values up in the template's Mappings, and chooses an Fn::If branch by its condition", () => {
    const withTables = scope({
      mappings: { Sizes: { production: { Cpu: "1024" } } },
      conditions: {
        IsProduction: { "Fn::Equals": [{ Ref: "AWS::StackName" }, "Phoenix-production"] },
        IsStaging: { "Fn::Not": [{ Condition: "IsProduction" }] },
      },
    });
    expect(resolveIntrinsics({ "Fn::FindInMap": ["Sizes", "production", "Cpu"] }, withTables)).toBe("1024");
    expect(() => resolveIntrinsics({ "Fn::FindInMap": ["Sizes", "__proto__", "Cpu"] }, withTables)).toThrow(
      "no mapping Sizes.__proto__.Cpu",
    );
    expect(resolveIntrinsics({ "Fn::If": ["IsProduction", "big", "small"] }, withTables)).toBe("big");
    expect(resolveIntrinsics({ "Fn::If": ["IsStaging", "big", { Ref: "AWS::NoValue" }] }, withTables)).toBe(NO_VALUE);
    expect(resolveIntrinsics({ A: { "Fn::If": ["IsStaging", 1, { Ref: "AWS::NoValue" }] } }, withTables)).toEqual({});
  });

  it("keeps a part of a value only a deploy tells unresolved (Select of Split of a generated ARN)", () => {
    const generated = scope({ ref: () => unresolvedValue("Stack.Balancer") });
    const part = (index: number) => ({ "Fn::Select": [index, { "Fn::Split": [":", { Ref: "Balancer" }] }] });
    expect(isUnresolved(resolveIntrinsics(part(0), generated))).toBe(true);
    expect(isUnresolved(resolveIntrinsics(part(5), generated))).toBe(true);
  });

  it("refuses a Select index outside its list", () => {
    expect(() => resolveIntrinsics({ "Fn::Select": [3, ["a", "b"]] }, scope())).toThrow(UnresolvableIntrinsicError);
  });

  it("joins any literal strings exactly as Array.join does", () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string()), (delimiter, parts) => {
        expect(resolveIntrinsics({ "Fn::Join": [delimiter, parts] }, scope())).toBe(parts.join(delimiter));
      }),
    );
  });

  it("leaves a Fn::Sub template without placeholders unchanged", () => {
    fc.assert(
      fc.property(
        fc.string().filter((text) => !text.includes("${")),
        (text) => {
          expect(resolveIntrinsics({ "Fn::Sub": text }, scope())).toBe(text);
        },
      ),
    );
  });

  it("gives back a split string when its parts are joined with the same delimiter", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), (delimiter, text) => {
        expect(resolveIntrinsics({ "Fn::Join": [delimiter, { "Fn::Split": [delimiter, text] }] }, scope())).toBe(text);
      }),
    );
  });

  it("copies values that hold no intrinsic", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        fc.pre(!JSON.stringify(value).includes('"Ref"') && !JSON.stringify(value).includes('"Fn::'));
        expect(resolveIntrinsics(value, scope())).toEqual(value);
      }),
    );
  });
});

describe("referencedLogicalIds", () => {
  it("finds the ids named by Ref, Fn::GetAtt and Fn::Sub (not its own variables), wherever they are nested", () => {
    expect(
      referencedLogicalIds({
        Cluster: { Ref: "WebCluster" },
        Roles: [{ "Fn::GetAtt": ["TaskRole", "Arn"] }, { "Fn::GetAtt": "ExecutionRole.Arn" }],
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub placeholders, not JavaScript ones
        Image: { "Fn::Sub": ["${Repo.RepositoryUri}@${Digest}:${!literal}", { Digest: { Ref: "DigestParameter" } }] },
      }),
    ).toEqual(new Set(["WebCluster", "TaskRole", "ExecutionRole", "Repo", "DigestParameter"]));
  });
});
