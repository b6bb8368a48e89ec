# Bureau: a static, non-root image.
#   docker build -t bureau .
#   docker run -p 8080:8080 -v bureau-data:/data bureau
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Pure-Go SQLite: no cgo, so the binary is static and runs on scratch.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/bureau ./cmd/bureau \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/bureau /usr/local/bin/bureau
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
ENV BUREAU_ADDR=0.0.0.0:8080 \
    BUREAU_DATABASE_URL=sqlite:/data/bureau.db \
    BUREAU_DATA_DIR=/data
EXPOSE 8080
USER 65532:65532
VOLUME ["/data"]
HEALTHCHECK NONE
ENTRYPOINT ["/usr/local/bin/bureau"]
CMD ["serve"]
