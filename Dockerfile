# The Lambda function as a container image (provided.al2023 custom runtime).
#
#   docker build --platform linux/amd64 -t ride-duration:v1 .   # linux/arm64 for Graviton
#   docker run -p 9000:8080 -e TEST_RUN=True ride-duration:v1
#   curl -d @event.json http://localhost:9000/2015-03-31/functions/function/invocations
#
# linux/amd64 matches make package and the templates' default Architecture
# (x86_64); without --platform, Docker builds for the machine it runs on.
# The build stage runs on the builder's own CPU and cross-compiles with
# `make bootstrap`, the same target the tests build and run under the
# Lambda Runtime Interface Emulator (TARGETARCH is Docker's amd64 or arm64,
# which make's ARCH takes as they are).
FROM --platform=$BUILDPLATFORM public.ecr.aws/docker/library/golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG TARGETARCH
RUN make bootstrap ARCH=${TARGETARCH} LAMBDA_DIR=build/image

# The base image's entrypoint runs /var/runtime/bootstrap, under its built-in
# emulator when started outside Lambda.
FROM public.ecr.aws/lambda/provided:al2023
COPY --from=build /src/build/image/bootstrap ${LAMBDA_RUNTIME_DIR}/bootstrap
CMD ["bootstrap"]
