// Package rehearse holds the deploy rehearsal, a test only. It deploys the
// stack to moto, an AWS API emulator, with AWS CLI v2 twice, each into its
// own moto: from template.yaml through CloudFormation, and from DEPLOY.md's
// plain-CLI commands as written, once for each architecture (x86_64 and
// arm64, with make package ARCH=arm64's zip). It describes both with the
// same aws calls and fails on any setting in which they differ; what moto's
// CloudFormation drops (stream encryption, alarms, the function's
// architectures) is compared with the template instead
// (rehearse_test.go, describe_test.go, declared_test.go). moto's
// CloudFormation has no Lambda alias either: the rehearsal creates the one
// the template declares between two steps of the stack (alias_test.go).
// TestRollback runs DEPLOY.md's roll-forward and rollback blocks, and
// TestShadowRollForward its shadow block and roll-forwards that add, keep
// and drop SHADOW_STREAM_NAME. TestOneWayToDeploy (no moto) fails when
// README, docs/ or DEPLOY.md shows a command that changes the function's code,
// settings, versions or alias that these do not run, or invokes the
// function without its alias live (oneway_test.go). The rehearsal's
// aws plays the transitional states that AWS has and moto does not, so
// that a missing wait fails (transitions_test.go). translate.py turns the
// SAM template into plain CloudFormation, as sam deploy does, since moto
// has no SAM transform.
//
//	go test ./tools/deploy/rehearse                          # after make deps (moto, the AWS CLI) and make package
//	go test -run TestOneWayToDeploy ./tools/deploy/rehearse  # the docs' commands only, no moto
package rehearse
