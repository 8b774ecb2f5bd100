/**
 * A documented `.github/phoenix-ops.yml` with every setting, for the README and the local
 * sandbox. The tests parse it, so it always satisfies the schema.
 */
export const EXAMPLE_OPS_CONFIG_YAML = `# .github/phoenix-ops.yml: settings of the Phoenix ops bot, read from the default branch.

# Names the AWS resources: cluster <app>-<environment>, service <app>-<environment>-web.
app: phoenix

deployOnMerge:
  environment: staging          # a pull request merged into the default branch deploys here
  onPush: false                 # true: direct pushes to the default branch deploy too

environments:
  # Only region is required; cluster, service and container default to
  # phoenix-staging, phoenix-staging-web and app.
  staging:
    region: eu-west-1
    requiredChecks: [build]
    scaling:
      min: 1
      max: 4
      default: { min: 1, max: 2 }

  production:
    region: eu-west-1
    cluster: phoenix-production
    service: phoenix-production-web
    container: app                # the container whose image a deploy replaces
    roleArn: arn:aws:iam::123456789012:role/phoenix-production-deployer
    url: https://phoenix.example.com
    after: staging                # accepts only images that already succeeded in staging
    requiredApprovals: 1          # approving reviews the pull request needs before /deploy
    requiredChecks: [build, test] # check runs or statuses that must have succeeded on the commit
    allowedUsers: [octocat]       # who may run commands: these logins and members of allowedTeams;
    allowedTeams: [example-org/platform] # both empty: anyone with write access
    allowForks: false             # commands on pull requests from forks are refused
    scaling:
      min: 2                      # lowest min a /scale may set
      max: 10                     # highest max a /scale may set
      default: { min: 2, max: 4 } # what /scale production reset restores
`;
