# The Lambda function as a container image (provided.al2023 custom runtime).
#
#   docker build -t ride-duration:v1 .                 # GOARCH=arm64: --build-arg GOARCH=arm64
#   docker run -p 9000:8080 -e TEST_RUN=True ride-duration:v1
#   curl -d @event.json http://localhost:9000/2015-03-31/functions/function/invocations
#
# The build stage runs `make bootstrap`, the same target the tests build and
# run under the Lambda Runtime Interface Emulator.
FROM public.ecr.aws/docker/library/golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG GOARCH=amd64
RUN make bootstrap GOARCH=${GOARCH}

# The base image's entrypoint runs /var/runtime/bootstrap, under its built-in
# emulator when started outside Lambda.
FROM public.ecr.aws/lambda/provided:al2023
COPY --from=build /src/build/bootstrap ${LAMBDA_RUNTIME_DIR}/bootstrap
CMD ["bootstrap"]
