export interface DoctorOptions {
  configPath: string | undefined;
  profile: string | undefined;
  nativeOnly: boolean;
  env: NodeJS.ProcessEnv;
}

export async function runDoctor(_options: DoctorOptions): Promise<number> {
  return 0;
}
