FROM base AS runtime
COPY job.txt /app/job.txt
RUN mkdir -p /out && echo "worker runtime" > /out/worker

# Built only if the compose `target: runtime` were lost.
FROM runtime AS test
RUN echo "the test stage must not be built: the compose file asks for target runtime" && exit 1
