// Package template holds the tests of template.yaml and
// template-image.yaml, the AWS SAM templates that deploy the function (see
// DEPLOY.md): their resources, settings and rules against what the
// function, the Dockerfile and the local stack assume. It is a test only.
//
//	go test ./tools/deploy/template
package template
