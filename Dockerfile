# Decoy's container image, for teams that build their own. Releases ship the
# same image built without a Docker daemon (scripts/release, with
# internal/ociimage): the static decoy binary on an empty base, run as a
# non-root user, listening on 0.0.0.0:4010 inside the container.
#
#   docker build -t decoy .
#   docker run --rm -p 4010:4010 -v "$PWD/mock:/work" decoy
#
# Keep USER, EXPOSE, ENV, WORKDIR, ENTRYPOINT and CMD as internal/ociimage
# writes them: internal/ociimage/dockerfile_test.go checks that they agree.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=${VERSION}" -o /out/decoy ./cmd/decoy \
 && mkdir -p /out/etc /out/home/nonroot /out/tmp /out/work \
 && printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >/out/etc/passwd \
 && printf 'root:x:0:\nnonroot:x:65532:\n' >/out/etc/group \
 && chmod 1777 /out/tmp && chmod 700 /out/home/nonroot

FROM scratch
COPY --from=build /out/etc/ /etc/
COPY --from=build --chown=65532:65532 /out/home/ /home/
COPY --from=build /out/tmp/ /tmp/
COPY --from=build --chown=65532:65532 /out/work/ /work/
COPY --from=build /out/decoy /usr/local/bin/decoy
USER 65532:65532
EXPOSE 4010
ENV PATH=/usr/local/bin DECOY_HOST=0.0.0.0
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/decoy"]
CMD ["serve", "--host", "0.0.0.0", "--port", "4010"]
