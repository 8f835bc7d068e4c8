// Package template holds the tests of template.yaml, the AWS SAM template
// that deploys the function (see DEPLOY.md).
package template
