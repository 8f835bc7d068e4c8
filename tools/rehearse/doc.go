// Package rehearse holds the deploy rehearsal, a test only: it deploys the
// stack to moto, an AWS API emulator, with AWS CLI v2, from template.yaml
// through CloudFormation and from DEPLOY.md's plain-CLI commands as written,
// and checks the resources against the template's settings (see
// rehearse_test.go). translate.py turns the SAM template into plain
// CloudFormation, as sam deploy does, since moto has no SAM transform.
package rehearse
